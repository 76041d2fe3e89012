import type { ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { backoffDelay, parseRetryAfter, sleep } from "../backoff.js";
import { authHeaders, describeFetchError, endpoint, readJson, withTimeout } from "../http.js";
import { DEFAULTS } from "../options.js";
import { createSharingWatcher, type SharingWatcher } from "../sharing.js";
import type { AssentEvent, SharingValue } from "../types.js";
import { toExportRequest } from "./encode.js";

// The numeric values of @opentelemetry/core's ExportResultCode, so nothing of it loads at runtime.
const SUCCESS = 0 as ExportResultCode;
const FAILED = 1 as ExportResultCode;

export interface AssentSpanExporterOptions {
  /** Base URL of the Assent service. */
  readonly url: string;
  /** An ingestion key. */
  readonly key: string;
  /**
   * Where the exporter learns whether the tenant shares. Default: its own connection to the
   * sharing stream. Pass an Assent client to share the client's.
   */
  readonly sharing?: { readonly sharing: SharingValue };
  /** Drop spans in this process while sharing is not known to be on (default true). */
  readonly localGate?: boolean;
  /** Which spans are sent; default: GenAI spans (any `gen_ai.*` attribute). */
  readonly filter?: (span: ReadableSpan) => boolean;
  /** Longest time one export may take, retries included, in ms. */
  readonly timeoutMs?: number;
  /** Attempts per export on 429, 502, 503, 504 and network errors. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  readonly onEvent?: (event: AssentEvent) => void;
  readonly fetch?: typeof fetch;
}

export interface ExporterCounters {
  /** Spans the service took (sent, minus those it reported rejected). */
  readonly exported: number;
  /** Spans the service reported as not taken (`partialSuccess.rejectedSpans`). */
  readonly rejected: number;
  /** Spans of exports that failed (the SDK reports FAILED to OpenTelemetry). */
  readonly failed: number;
  /** Spans dropped here because sharing was off or not known yet. */
  readonly droppedLocally: number;
  /** Spans left out by the filter (not GenAI spans). */
  readonly filtered: number;
}

export interface AssentSpanExporter extends SpanExporter {
  readonly counters: ExporterCounters;
  /** Resolves once the exporter knows the sharing state (own stream only), or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<SharingValue>;
}

/**
 * Spans the service can map: OpenTelemetry GenAI spans (`gen_ai.*` attributes) and the Vercel AI
 * SDK's call spans, whose outer `ai.generateText`-style span carries `ai.operationId` and no
 * `gen_ai.*` attribute (the service stores that outer span, not the inner `doGenerate` one), and
 * OpenInference spans (`openinference.span.kind`; the service keeps only the `LLM` ones).
 */
export const isGenAiSpan = (span: ReadableSpan): boolean =>
  Object.keys(span.attributes).some(
    (k) => k.startsWith("gen_ai.") || k === "ai.operationId" || k === "openinference.span.kind",
  );

const RETRYABLE = new Set([408, 429, 502, 503, 504]);

/**
 * An OpenTelemetry `SpanExporter` posting OTLP/HTTP JSON to the service's `POST /v1/traces`
 * with the ingestion key. Use it in a `BatchSpanProcessor`. While sharing is off, GenAI spans
 * never leave the process; the service's gate still decides what is stored.
 */
export function createAssentSpanExporter(options: AssentSpanExporterOptions): AssentSpanExporter {
  if (typeof options?.url !== "string" || !/^https?:\/\//.test(options.url)) {
    throw new TypeError("Assent: option url must be an http(s) URL of the Assent service");
  }
  if (typeof options.key !== "string" || options.key.length === 0) {
    throw new TypeError("Assent: option key must be an ingestion key");
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? DEFAULTS.retryDelayMs;
  const filter = options.filter ?? isGenAiSpan;
  const localGate = options.localGate ?? true;
  const stopping = new AbortController();
  const report = (e: AssentEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // Diagnostics must not break export.
    }
  };
  let own: SharingWatcher | null = null;
  if (localGate && !options.sharing) {
    own = createSharingWatcher({
      url: options.url,
      key: options.key,
      fetch: fetchImpl,
      reconnectDelayMs: DEFAULTS.reconnectDelayMs,
      maxReconnectDelayMs: DEFAULTS.maxReconnectDelayMs,
      streamIdleTimeoutMs: DEFAULTS.streamIdleTimeoutMs,
      pollIntervalMs: DEFAULTS.pollIntervalMs,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      onEvent: options.onEvent,
    });
  }
  const sharingSource = options.sharing ?? own;
  const counters = { exported: 0, rejected: 0, failed: 0, droppedLocally: 0, filtered: 0 };
  const pending = new Set<Promise<void>>();
  let shutDown = false;

  async function post(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    const body = JSON.stringify(toExportRequest(spans));
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      let retryAfter: number | null = null;
      let problem: string;
      try {
        const res = await fetchImpl(endpoint(options.url, "v1/traces"), {
          method: "POST",
          headers: {
            ...authHeaders(options.key),
            "content-type": "application/json",
            accept: "application/json",
          },
          body,
          signal: withTimeout(stopping.signal, Math.max(1, deadline - Date.now())),
        });
        const answer = (await readJson(res)) as {
          partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown };
        } | null;
        if (res.ok) {
          const partial = answer?.partialSuccess;
          const rejected = Math.min(spans.length, Number(partial?.rejectedSpans ?? 0) || 0);
          counters.exported += spans.length - rejected;
          counters.rejected += rejected;
          // The service's gate found sharing off: stop sending now rather than at the next event.
          if (typeof partial?.errorMessage === "string" && /sharing is off/i.test(partial.errorMessage)) {
            own?.reportOff();
          }
          return { code: SUCCESS };
        }
        problem = `POST /v1/traces answered ${res.status}`;
        if (res.status === 401 || res.status === 403) {
          own?.reportKeyRefused();
          report({ kind: "key-refused", status: res.status, message: problem });
          return { code: FAILED, error: new Error(problem) };
        }
        if (!RETRYABLE.has(res.status)) {
          report({ kind: "http", status: res.status, message: problem });
          return { code: FAILED, error: new Error(problem) };
        }
        retryAfter = parseRetryAfter(res.headers.get("retry-after"));
        report({ kind: "http", status: res.status, message: problem });
      } catch (err) {
        problem = describeFetchError(err);
        report({ kind: "network", message: problem });
      }
      const delay = retryAfter ?? backoffDelay(attempt, retryDelayMs, 30_000);
      if (attempt >= maxAttempts || Date.now() + delay >= deadline || stopping.signal.aborted) {
        return { code: FAILED, error: new Error(`${problem}; gave up after ${attempt} attempt(s)`) };
      }
      await sleep(delay, stopping.signal);
    }
  }

  return {
    export(spans, resultCallback) {
      if (shutDown) {
        resultCallback({ code: FAILED, error: new Error("the Assent exporter is shut down") });
        return;
      }
      const selected = spans.filter(filter);
      counters.filtered += spans.length - selected.length;
      if (selected.length === 0) {
        resultCallback({ code: SUCCESS });
        return;
      }
      if (localGate && sharingSource?.sharing !== "on") {
        // Not an error: the tenant does not share, so the spans are not to leave the process.
        counters.droppedLocally += selected.length;
        resultCallback({ code: SUCCESS });
        return;
      }
      const p = post(selected)
        .catch(
          (err: unknown): ExportResult => ({
            code: FAILED,
            error: err instanceof Error ? err : new Error("export failed"),
          }),
        )
        .then((result) => {
          if (result.code !== SUCCESS) counters.failed += selected.length;
          resultCallback(result);
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async forceFlush() {
      await Promise.all([...pending]);
    },
    async shutdown() {
      shutDown = true;
      await Promise.all([...pending]);
      stopping.abort();
      own?.close();
    },
    async ready(ms = DEFAULTS.requestTimeoutMs) {
      if (own) return (await own.ready(ms)).sharing;
      return sharingSource?.sharing ?? "unknown";
    },
    get counters() {
      return { ...counters };
    },
  };
}
