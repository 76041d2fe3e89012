import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { CLI_ACTOR } from "../src/actor.js";
import { otlpProto } from "../src/modules/capture/otlp/proto.js";
import type { InteractionWithContent } from "../src/modules/capture/types.js";
import type { TestContext } from "./harness.js";

export const PROTOBUF = "application/x-protobuf";

export interface KeyedTenant {
  readonly id: string;
  readonly region: string;
  readonly key: string;
}

let seq = 0;

/**
 * A tenant with an ingestion key, sharing turned on at `optInAt` when asked. Set up through the
 * services: what is under test here is /v1/traces, not sign-in or the admin center.
 */
export async function keyedTenant(
  ctx: TestContext,
  opts: { sharing: boolean; optInAt?: number; region?: string },
): Promise<KeyedTenant> {
  const region = opts.region ?? "us";
  const tenant = await ctx.services.tenants.createTenant({ name: `OTLP tenant ${++seq}`, region }, CLI_ACTOR);
  const { key } = await ctx.services.tenants.createKey(tenant.id, CLI_ACTOR);
  if (opts.sharing) {
    const now = ctx.clock.now();
    if (opts.optInAt !== undefined) ctx.clock.set(opts.optInAt);
    await ctx.services.consent.setSharing({ id: tenant.id, region }, true, CLI_ACTOR);
    ctx.clock.set(now);
  }
  return { id: tenant.id, region, key };
}

const FIXTURES = path.join(import.meta.dirname, "fixtures", "otlp");

export const fixtureNames = [
  "modern-chat",
  "tool-calls",
  "legacy-events",
  "legacy-attributes",
  "vercel-ai-sdk",
  "not-genai",
] as const;

/** Exported by the real libraries (see record-otlp-fixtures.ts); `.logs.json` holds their logs. */
export const libraryFixtures = [
  "openllmetry",
  "openinference",
  "openinference-langchain",
  "otel-openai",
  "vercel-ai",
] as const;

export type Json = Record<string, unknown>;

export function loadFixture(name: string): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Json;
}

type Span = Json & { startTimeUnixNano: string; attributes: Json[] };

export function spansOf(request: Json): Span[] {
  const out: Span[] = [];
  for (const rs of request.resourceSpans as Json[]) {
    for (const ss of rs.scopeSpans as Json[]) out.push(...(ss.spans as Span[]));
  }
  return out;
}

/** The earliest span start of an export, in epoch ms. */
export const firstStartMs = (request: Json): number =>
  Math.min(...spansOf(request).map((s) => Number(BigInt(s.startTimeUnixNano) / 1_000_000n)));

export function logRecordsOf(request: Json): Json[] {
  const out: Json[] = [];
  for (const rl of request.resourceLogs as Json[]) {
    for (const sl of rl.scopeLogs as Json[]) out.push(...(sl.logRecords as Json[]));
  }
  return out;
}

export type Signal = "traces" | "logs";

/** The same export as protobuf: OTLP/JSON's hex ids are bytes on the wire. */
export function toProtobuf(request: Json, signal: Signal = "traces"): Buffer {
  const copy = structuredClone(request);
  for (const item of signal === "traces" ? spansOf(copy) : logRecordsOf(copy)) {
    for (const f of ["traceId", "spanId", "parentSpanId"]) {
      if (typeof item[f] === "string") item[f] = Buffer.from(item[f] as string, "hex");
    }
  }
  const proto = otlpProto();
  const type = signal === "traces" ? proto.exportRequest : proto.exportLogsRequest;
  return Buffer.from(type.encode(type.fromObject(copy)).finish());
}

export function decodeExportResponse(body: Buffer, signal: Signal = "traces"): Json {
  const proto = otlpProto();
  const type = signal === "traces" ? proto.exportResponse : proto.exportLogsResponse;
  return type.toObject(type.decode(body), { longs: Number }) as Json;
}

export function decodeStatus(body: Buffer): Json {
  const { rpcStatus } = otlpProto();
  return rpcStatus.toObject(rpcStatus.decode(body), { arrays: true }) as Json;
}

export type Encoding = "json" | "protobuf";

type Answer = { status: number; headers: Record<string, unknown>; body: Json; contentType: string };

/** POST /v1/traces in the given encoding, gzipped when asked; the answer decoded alike. */
export const postTraces = (
  ctx: TestContext,
  key: string,
  request: Json,
  opts: { encoding?: Encoding; gzip?: boolean } = {},
): Promise<Answer> => postExport(ctx, key, "traces", request, opts);

/** POST /v1/<signal> in the given encoding, gzipped when asked; the answer decoded alike. */
export async function postExport(
  ctx: TestContext,
  key: string,
  signal: Signal,
  request: Json,
  opts: { encoding?: Encoding; gzip?: boolean } = {},
): Promise<Answer> {
  const protobuf = opts.encoding === "protobuf";
  let payload: Buffer = protobuf ? toProtobuf(request, signal) : Buffer.from(JSON.stringify(request));
  if (opts.gzip) payload = gzipSync(payload);
  const res = await ctx.app.inject({
    method: "POST",
    url: `/v1/${signal}`,
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": protobuf ? PROTOBUF : "application/json",
      ...(opts.gzip ? { "content-encoding": "gzip" } : {}),
    },
    payload,
  });
  const contentType = String(res.headers["content-type"] ?? "");
  const raw = res.rawPayload;
  let body: Json;
  if (contentType.startsWith(PROTOBUF)) {
    body = res.statusCode === 200 ? decodeExportResponse(raw, signal) : decodeStatus(raw);
  } else body = raw.length ? (JSON.parse(raw.toString("utf8")) as Json) : {};
  return { status: res.statusCode, headers: res.headers, body, contentType };
}

/** Every interaction stored for the tenant, read back with content, oldest first. */
export async function storedInteractions(
  ctx: TestContext,
  t: KeyedTenant,
): Promise<InteractionWithContent[]> {
  const store = ctx.services.stores.regions.get(t.region);
  if (!store) throw new Error(`no store for ${t.region}`);
  const rows = await store.db
    .selectFrom("interactions")
    .select("id")
    .where("tenant_id", "=", t.id)
    .orderBy("occurred_at")
    .orderBy("id")
    .execute();
  const read = await Promise.all(
    rows.map((r) => ctx.services.capture.readInteraction({ id: t.id, region: t.region }, r.id)),
  );
  return read.filter((r): r is InteractionWithContent => r !== null);
}

/** The value of the ignored-spans counter for a region. */
export async function ignoredSpans(ctx: TestContext, region: string): Promise<number> {
  const metric = ctx.services.metrics.registry.getSingleMetric("assent_otlp_spans_ignored_total");
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.find((v) => v.labels.region === region)?.value ?? 0;
}
