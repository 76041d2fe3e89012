import { createRequire } from "node:module";
import { createOpenAI } from "@ai-sdk/openai";
import { LangChainInstrumentation } from "@arizeai/openinference-instrumentation-langchain";
import { OpenAIInstrumentation as OpenInferenceOpenAI } from "@arizeai/openinference-instrumentation-openai";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import { ChatOpenAI } from "@langchain/openai";
import { context, metrics } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPLogExporter as HttpJsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as HttpProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as HttpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OpenAIInstrumentation as OtelOpenAI } from "@opentelemetry/instrumentation-openai";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OpenAIInstrumentation as TraceloopOpenAI } from "@traceloop/instrumentation-openai";
import { generateText, streamText } from "ai";

/**
 * Real instrumentations of real model clients, exporting through the real OTLP/HTTP exporters:
 * what an AI team's service runs. Each library is set up as its documentation says, except that
 * the modules are patched explicitly (`manuallyInstrument` or the module definition's patch)
 * because ESM imports do not pass through the require hooks instrumentations rely on.
 */
export type Library =
  | "openllmetry"
  | "openinference"
  | "openinference-langchain"
  | "otel-openai"
  | "vercel-ai";
export type Encoding = "json" | "protobuf";

/**
 * The openai SDK as a CommonJS service loads it, which is what the instrumentations import
 * themselves: OpenInference checks `instanceof APIPromise` against its own `require("openai")`,
 * so the ESM copy's streaming promises would not be recognised (the dual-package hazard).
 */
const { OpenAI } = createRequire(import.meta.url)("openai") as typeof import("openai");
type OpenAI = InstanceType<typeof OpenAI>;
const { VERSION: OPENAI_VERSION } = createRequire(import.meta.url)("openai/version") as { VERSION: string };

export const PROMPT = "When is the Contoso renewal due?";
export const SYSTEM = "Answer from the CRM notes only.";
export const REQUESTED_MODEL = "gpt-4o-mini";

export interface Telemetry {
  readonly tracerProvider: BasicTracerProvider;
  readonly loggerProvider: LoggerProvider;
  /** Exports everything recorded so far. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | null = null;

/** Nested spans need an active context, as `@opentelemetry/sdk-node` would set up. */
function ensureContextManager(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

/**
 * Traces to `<base>/v1/traces` and logs to `<base>/v1/logs`, as OTEL_EXPORTER_OTLP_ENDPOINT does;
 * `resourceAttributes` join the resource (e.g. `assent.tenant` for a service key).
 */
export function telemetry(
  base: string,
  key: string,
  encoding: Encoding,
  serviceName: string,
  resourceAttributes: Record<string, string> = {},
): Telemetry {
  ensureContextManager();
  const headers = { Authorization: `Bearer ${key}` };
  const traces = { url: `${base}/v1/traces`, headers, timeoutMillis: 5000 };
  const logsConfig = { url: `${base}/v1/logs`, headers, timeoutMillis: 5000 };
  const resource = resourceFromAttributes({ "service.name": serviceName, ...resourceAttributes });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(
        encoding === "json" ? new HttpJsonExporter(traces) : new HttpProtoExporter(traces),
      ),
    ],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter:
          encoding === "json" ? new HttpJsonLogExporter(logsConfig) : new HttpProtoLogExporter(logsConfig),
      }),
    ],
  });
  return {
    tracerProvider,
    loggerProvider,
    async flush() {
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
    },
  };
}

export interface InstrumentedClient {
  /** One chat call, as the feature makes it; resolves to the answer text the application saw. */
  call(opts: { stream: boolean }): Promise<string>;
  /** Unpatches the module. */
  close(): void;
}

function openaiClient(baseURL: string): OpenAI {
  return new OpenAI({ apiKey: "sk-fake", baseURL, maxRetries: 0 });
}

async function chat(client: OpenAI, stream: boolean): Promise<string> {
  const messages = [
    { role: "system" as const, content: SYSTEM },
    { role: "user" as const, content: PROMPT },
  ];
  if (!stream) {
    const r = await client.chat.completions.create({ model: REQUESTED_MODEL, messages });
    return r.choices[0]?.message.content ?? "";
  }
  const s = await client.chat.completions.create({
    model: REQUESTED_MODEL,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? "";
  return text;
}

/** An OpenAI client instrumented by `library`, talking to `baseURL`. */
export function instrumentedClient(library: Library, t: Telemetry, baseURL: string): InstrumentedClient {
  switch (library) {
    case "openllmetry": {
      const inst = new TraceloopOpenAI({ traceContent: true });
      inst.setTracerProvider(t.tracerProvider);
      inst.manuallyInstrument(OpenAI);
      const client = openaiClient(baseURL);
      // disable() does not undo manuallyInstrument: unwrap what it wrapped (shimmer, via the base class).
      const unwrap = (inst as unknown as { _unwrap(o: object, name: string): void })._unwrap.bind(inst);
      return {
        call: ({ stream }) => chat(client, stream),
        close: () => {
          unwrap(OpenAI.Chat.Completions.prototype, "create");
          unwrap(OpenAI.Completions.prototype, "create");
          unwrap(OpenAI.Responses.prototype, "create");
          inst.disable();
        },
      };
    }
    case "openinference": {
      const inst = new OpenInferenceOpenAI({ tracerProvider: t.tracerProvider });
      inst.manuallyInstrument({ OpenAI } as unknown as Parameters<typeof inst.manuallyInstrument>[0]);
      const client = openaiClient(baseURL);
      return { call: ({ stream }) => chat(client, stream), close: () => inst.disable() };
    }
    case "openinference-langchain": {
      const inst = new LangChainInstrumentation({ tracerProvider: t.tracerProvider });
      // LangChain's ESM build, the one @langchain/openai runs on.
      const manager = { CallbackManager };
      inst.manuallyInstrument(manager as unknown as Parameters<typeof inst.manuallyInstrument>[0]);
      const model = new ChatOpenAI({
        model: REQUESTED_MODEL,
        apiKey: "sk-fake",
        maxRetries: 0,
        streamUsage: true,
        configuration: { baseURL },
      });
      const messages: [string, string][] = [
        ["system", SYSTEM],
        ["user", PROMPT],
      ];
      return {
        async call({ stream }) {
          if (!stream) return String((await model.invoke(messages)).content);
          let text = "";
          for await (const chunk of await model.stream(messages)) text += String(chunk.content);
          return text;
        },
        close: () => {
          (inst as unknown as { unpatch(m: object): void }).unpatch(manager);
          inst.disable();
        },
      };
    }
    case "otel-openai": {
      const inst = new OtelOpenAI({ captureMessageContent: true });
      inst.setTracerProvider(t.tracerProvider);
      inst.setLoggerProvider(t.loggerProvider);
      // 0.21.0's class fields reset the metric instruments its base constructor made; setting a
      // meter provider makes them again (without, a streamed call throws on `record`).
      inst.setMeterProvider(metrics.getMeterProvider());
      // What the require hook would do on `require("openai")`.
      const exports = { OpenAI };
      for (const def of inst.getModuleDefinitions()) def.patch?.(exports, OPENAI_VERSION);
      const client = openaiClient(baseURL);
      return {
        call: ({ stream }) => chat(client, stream),
        close: () => {
          for (const def of inst.getModuleDefinitions()) def.unpatch?.(exports, OPENAI_VERSION);
          inst.disable();
        },
      };
    }
    case "vercel-ai": {
      const provider = createOpenAI({ apiKey: "sk-fake", baseURL });
      const tracer = t.tracerProvider.getTracer("ai");
      const telemetry = { isEnabled: true, functionId: "crm.renewal-qa", tracer };
      return {
        async call({ stream }) {
          const args = {
            model: provider.chat(REQUESTED_MODEL),
            system: SYSTEM,
            prompt: PROMPT,
            experimental_telemetry: telemetry,
          };
          if (!stream) return (await generateText(args)).text;
          const r = streamText(args);
          let text = "";
          for await (const part of r.textStream) text += part;
          return text;
        },
        close: () => {},
      };
    }
  }
}
