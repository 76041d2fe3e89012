import type { ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { backoffDelay, parseRetryAfter, sleep } from "../backoff.js";
import { authHeaders, describeFetchError, endpoint, readJson, withTimeout } from "../http.js";
import { DEFAULTS, SERVICE_KEY_PREFIX } from "../options.js";
import { isTenantRef } from "../serialize.js";
import { createSharingWatcher, type SharingWatcher } from "../sharing.js";
import { createTenantsWatcher, type TenantsWatcher } from "../tenants.js";
import type { AssentEvent, SharingValue } from "../types.js";
import { toExportRequest } from "./encode.js";

// The numeric values of @opentelemetry/core's ExportResultCode, so nothing of it loads at runtime.
const SUCCESS = 0 as ExportResultCode;
const FAILED = 1 as ExportResultCode;

export interface AssentSpanExporterOptions {
  /** Base URL of the Assent service. */
  readonly url: string;
  /** An ingestion key: a tenant key, or a service key (`assk_…`) exporting for every tenant. */
  readonly key: string;
  /** The key is a service key (default: told by its prefix, `assk_`). */
  readonly service?: boolean;
  /**
   * Service keys: the attributes naming a span's tenant, looked up on the span, then on its
   * resource (default `["assent.tenant"]`; e.g. `["assent.tenant", "tenant.id"]`). Keep them
   * the same as the service's own setting.
   */
  readonly tenantAttributes?: readonly string[];
  /**
   * Where the exporter learns whether the tenant shares. Default: its own connection to the
   * sharing stream. Pass an Assent client (made with the same kind of key) to share the client's.
   */
  readonly sharing?: SharingSource;
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
  /** Spans dropped here because sharing was off or not known yet (service keys: their tenant's). */
  readonly droppedLocally: number;
  /** Service keys: GenAI spans naming no tenant, dropped here (the service would reject them). */
  readonly noTenant: number;
  /** Spans left out by the filter (not GenAI spans). */
  readonly filtered: number;
}

/** What the exporter asks before sending: an Assent client fits. */
export interface SharingSource {
  readonly sharing: SharingValue;
  /** Service keys: whether `tenant`'s spans may leave the process. */
  isSharing?(tenant: string): boolean;
  readonly sharingState?: { readonly tenants?: { readonly known: boolean } };
}

export interface AssentSpanExporter extends SpanExporter {
  readonly counters: ExporterCounters;
  /** Resolves once every export under way has an outcome. */
  forceFlush(): Promise<void>;
  /**
   * Resolves once the exporter knows the sharing state (own stream only), or after `timeoutMs`.
   * Service keys: `on` once every tenant's state is known (ask `isSharing(tenant)`), else `unknown`.
   */
  ready(timeoutMs?: number): Promise<SharingValue>;
  /** Whether spans of `tenant` leave the process now (with a tenant key, `tenant` is ignored). */
  isSharing(tenant?: string): boolean;
}

/** A span's tenant: the first of `names` set on the span, else on its resource. */
export function spanTenant(span: ReadableSpan, names: readonly string[]): string | null {
  for (const attrs of [span.attributes, span.resource?.attributes]) {
    if (!attrs) continue;
    for (const name of names) {
      const v = attrs[name];
      const s = typeof v === "number" ? String(v) : v;
      if (isTenantRef(s)) return s;
    }
  }
  return null;
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
  const service = options.service ?? options.key.startsWith(SERVICE_KEY_PREFIX);
  const tenantAttributes = options.tenantAttributes ?? ["assent.tenant"];
  if (service && options.sharing && typeof options.sharing.isSharing !== "function") {
    throw new TypeError(
      "Assent: with a service key, option sharing must be a client made with a service key",
    );
  }
  const stopping = new AbortController();
  const report = (e: AssentEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // Diagnostics must not break export.
    }
  };
  let own: SharingWatcher | null = null;
  let ownTenants: TenantsWatcher | null = null;
  if (localGate && !options.sharing) {
    const follow = {
      url: options.url,
      key: options.key,
      fetch: fetchImpl,
      reconnectDelayMs: DEFAULTS.reconnectDelayMs,
      maxReconnectDelayMs: DEFAULTS.maxReconnectDelayMs,
      streamIdleTimeoutMs: DEFAULTS.streamIdleTimeoutMs,
      pollIntervalMs: DEFAULTS.pollIntervalMs,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      onEvent: options.onEvent,
    };
    if (service) ownTenants = createTenantsWatcher(follow);
    else own = createSharingWatcher(follow);
  }
  const sharingSource = options.sharing ?? own;
  const tenantSharing = (tenant: string): boolean =>
    ownTenants ? ownTenants.sharingOf(tenant) === "on" : options.sharing?.isSharing?.(tenant) === true;
  const counters = { exported: 0, rejected: 0, failed: 0, droppedLocally: 0, filtered: 0, noTenant: 0 };
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
            // (A service key's answer cannot say whose: its stream tells, within a second.)
            own?.reportOff();
          }
          return { code: SUCCESS };
        }
        problem = `POST /v1/traces answered ${res.status}`;
        if (res.status === 401 || res.status === 403) {
          own?.reportKeyRefused();
          ownTenants?.reportKeyRefused();
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
      let selected = spans.filter(filter);
      counters.filtered += spans.length - selected.length;
      if (service) {
        // Each span goes only if its own tenant shares: the others never leave the process.
        selected = selected.filter((span) => {
          const tenant = spanTenant(span, tenantAttributes);
          if (tenant === null) counters.noTenant += 1;
          else if (!localGate || tenantSharing(tenant)) return true;
          else counters.droppedLocally += 1;
          return false;
        });
      }
      if (selected.length === 0) {
        resultCallback({ code: SUCCESS });
        return;
      }
      if (localGate && !service && sharingSource?.sharing !== "on") {
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
      ownTenants?.close();
    },
    async ready(ms = DEFAULTS.requestTimeoutMs) {
      if (own) return (await own.ready(ms)).sharing;
      if (ownTenants) return (await ownTenants.ready(ms)).known ? "on" : "unknown";
      if (service) return options.sharing?.sharingState?.tenants?.known ? "on" : "unknown";
      return sharingSource?.sharing ?? "unknown";
    },
    isSharing: (tenant) =>
      service
        ? tenant !== undefined && tenantSharing(tenant)
        : (sharingSource?.sharing ?? "unknown") === "on",
    get counters() {
      return { ...counters };
    },
  };
}
