import type { ExportResult } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

/**
 * The OpenTelemetry JS SDK set up as an AI feature service sets it up, sending to one span
 * exporter: shared by the server's OTLP exporter tests and the SDK's span exporter tests.
 */
export interface OtelPipeline {
  readonly provider: BasicTracerProvider;
  /** What the exporter reported to the SDK, so a test sees success or failure as it did. */
  readonly results: ExportResult[];
  /** Flushes and shuts the provider down; a failed export is in `results`, not thrown. */
  end(): Promise<void>;
}

/** Records what the exporter reported to the SDK. */
function recording(inner: SpanExporter, results: ExportResult[]): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      inner.export(spans, (r) => {
        results.push(r);
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

export function otelPipeline(
  exporter: SpanExporter,
  opts: { batch: boolean; serviceName?: string },
): OtelPipeline {
  const results: ExportResult[] = [];
  const wrapped = recording(exporter, results);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": opts.serviceName ?? "crm-copilot" }),
    spanProcessors: [opts.batch ? new BatchSpanProcessor(wrapped) : new SimpleSpanProcessor(wrapped)],
  });
  return {
    provider,
    results,
    async end() {
      // A failed export also fails the flush; the recorded result is what the tests look at.
      await provider.forceFlush().catch(() => {});
      await provider.shutdown();
    },
  };
}
