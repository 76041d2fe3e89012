import { parseRetryAfter } from "./backoff.js";
import { authHeaders, describeFetchError, endpoint, readJson, withTimeout } from "./http.js";
import type { IngestAnswer, TenantAnswer } from "./types.js";

/** What became of one `POST /v1/interactions`, classified for the retry policy. */
export type PostOutcome =
  | { readonly kind: "answered"; readonly answer: IngestAnswer }
  /** 429, 408, 5xx, a network error or a timeout: the same batch may be sent again. */
  | {
      readonly kind: "retry";
      readonly status?: number;
      readonly retryAfterMs: number | null;
      readonly message: string;
    }
  | { readonly kind: "too-large" }
  | { readonly kind: "key-refused"; readonly status: number }
  /** Anything else: sending the same batch again would get the same answer. */
  | { readonly kind: "failed"; readonly status: number; readonly message: string };

export interface DeliveryOptions {
  readonly url: string;
  readonly key: string;
  readonly fetch: typeof fetch;
  readonly requestTimeoutMs: number;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

const isSharing = (v: unknown): v is "on" | "off" => v === "on" || v === "off";

/** Each tenant's results in a service key's answer; entries that do not parse are left out. */
function parseTenants(v: unknown): Record<string, TenantAnswer> | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const out: Record<string, TenantAnswer> = {};
  for (const [id, t] of Object.entries(v as Record<string, unknown>)) {
    const r = t as Record<string, unknown> | null;
    if (!r || !isSharing(r.sharing)) continue;
    const n = (x: unknown) => (isCount(x) ? x : 0);
    out[id] = {
      sharing: r.sharing,
      accepted: n(r.accepted),
      dropped: n(r.dropped),
      duplicates: n(r.duplicates),
    };
  }
  return out;
}

function parseAnswer(v: unknown): IngestAnswer | null {
  if (typeof v !== "object" || v === null) return null;
  const a = v as Record<string, unknown>;
  const tenants = parseTenants(a.tenants);
  // A tenant key's answer names the sharing state; a service key's names it per tenant.
  if (!isSharing(a.sharing) && !tenants) return null;
  if (!isCount(a.accepted) || !isCount(a.dropped) || !isCount(a.duplicates) || !Array.isArray(a.rejected)) {
    return null;
  }
  const rejected = a.rejected
    .filter((r): r is { index: number; error: string } => typeof r === "object" && r !== null)
    .map((r) => ({ index: Number(r.index), error: String(r.error) }));
  return {
    ...(isSharing(a.sharing) ? { sharing: a.sharing } : {}),
    ...(tenants ? { tenants } : {}),
    accepted: a.accepted,
    dropped: a.dropped,
    duplicates: a.duplicates,
    rejected,
  };
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export async function postBatch(o: DeliveryOptions, body: string, signal: AbortSignal): Promise<PostOutcome> {
  let res: Response;
  try {
    res = await o.fetch(endpoint(o.url, "v1/interactions"), {
      method: "POST",
      headers: { ...authHeaders(o.key), "content-type": "application/json", accept: "application/json" },
      body,
      signal: withTimeout(signal, o.requestTimeoutMs),
    });
  } catch (err) {
    return { kind: "retry", retryAfterMs: null, message: describeFetchError(err) };
  }
  const status = res.status;
  if (status === 200) {
    const answer = parseAnswer(await readJson(res));
    return answer
      ? { kind: "answered", answer }
      : { kind: "failed", status, message: "POST /v1/interactions answered an unreadable body" };
  }
  // The error bodies are {error, message} without content; only the status and code are kept.
  const err = (await readJson(res)) as { error?: unknown } | null;
  const code = typeof err?.error === "string" ? ` (${err.error.slice(0, 64)})` : "";
  if (status === 401 || status === 403) return { kind: "key-refused", status };
  if (status === 413) return { kind: "too-large" };
  if (RETRYABLE.has(status) || status >= 500) {
    return {
      kind: "retry",
      status,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
      message: `POST /v1/interactions answered ${status}${code}`,
    };
  }
  return { kind: "failed", status, message: `POST /v1/interactions answered ${status}${code}` };
}
