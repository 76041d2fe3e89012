import { SpanKind } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { FastifyRequest } from "fastify";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../server/src/actor.js";
import { type ServiceTenant, serviceKey, share } from "../../server/test/service-fixtures.js";
import { createAssentSpanExporter } from "../src/otel/index.js";
import { storedCount, until } from "./live-server.js";
import { liveSuite, manyTenants } from "./support.js";

/** Which tenant each item reaching `POST /v1/interactions` named, and when it arrived. */
interface Arrival {
  readonly tenant: string;
  readonly at: number;
}

const interaction = (tenant: string, i = 0) => ({
  tenant,
  feature: "sales.email-draft",
  input: `prompt ${i}`,
  output: `answer ${i}`,
});

describe("a service key's client, with 1,000 tenants", () => {
  const arrivals: Arrival[] = [];
  const lastEventIds: (string | null)[] = [];
  /** The bodies of `POST /v1/traces`, as text. */
  const traces: string[] = [];
  const live = liveSuite({
    setup: (app) =>
      app.addHook("preHandler", async (request: FastifyRequest) => {
        const path = request.url.split("?")[0];
        if (path === "/v1/sharing/stream") {
          const h = request.headers["last-event-id"];
          lastEventIds.push(typeof h === "string" ? h : null);
        }
        if (request.method === "POST" && path === "/v1/traces") traces.push(JSON.stringify(request.body));
        if (request.method !== "POST" || path !== "/v1/interactions") return;
        const body = request.body as { interactions?: { tenant?: unknown }[] } | null;
        const at = Date.now();
        for (const item of body?.interactions ?? []) arrivals.push({ tenant: String(item.tenant), at });
      }),
  });
  let tenants: ServiceTenant[] = [];
  /** Every other tenant shares. */
  let sharing: ServiceTenant[] = [];
  let key = "";
  const ctx = () => live.server.ctx;

  beforeAll(async () => {
    ({ tenants, sharing } = await manyTenants(ctx(), { us: 700, eu: 300 }, 2));
    key = (await serviceKey(ctx())).key;
  }, 60_000);

  it("sends only the interactions of tenants that share, many tenants and both regions in a batch", async () => {
    const c = live.client(key, { flushIntervalMs: 50 });
    const state = await c.ready(5000);
    expect(state.tenants).toMatchObject({ known: true, sharingTenants: 500, confirmed: true });
    const from = arrivals.length;
    for (const [i, t] of tenants.entries()) {
      // Named by Assent's id or by the vendor's external id, as the vendor's code has it.
      const name = i % 4 < 2 ? t.id : t.externalId;
      expect(c.capture(interaction(name, i))).toBe(i % 2 === 0);
      expect(c.isSharing(name)).toBe(i % 2 === 0);
    }
    expect(c.capture({ feature: "sales.email-draft", input: "p", output: "a" })).toBe(false); // no tenant
    expect(await c.flush(10_000)).toBe(true);

    expect(c.counters).toMatchObject({ sent: 500, invalid: 1, dropped: { consentOff: 500, server: 0 } });
    const names = new Set(sharing.flatMap((t) => [t.id, t.externalId]));
    const sent = arrivals.slice(from);
    expect(sent).toHaveLength(500);
    expect(sent.filter((a) => !names.has(a.tenant))).toEqual([]);
    // Batches of up to 500 items, each mixing tenants of both regions: not one request per tenant.
    expect(live.server.ingests(key).length).toBeLessThanOrEqual(3);
    const [us, eu] = [sharing.find((t) => t.region === "us"), sharing.find((t) => t.region === "eu")];
    expect(await storedCount(ctx(), us as ServiceTenant)).toBe(1);
    expect(await storedCount(ctx(), eu as ServiceTenant)).toBe(1);
    expect(await storedCount(ctx(), tenants[1] as ServiceTenant)).toBe(0);
  });

  it("stops a tenant within a second of its opt-out while the others go on", async () => {
    const c = live.client(key, { flushIntervalMs: 20 });
    await c.ready(5000);
    const [leaving, staying] = [sharing[10] as ServiceTenant, sharing[11] as ServiceTenant];
    let i = 0;
    const traffic = setInterval(() => {
      for (const t of [leaving, staying, sharing[12] as ServiceTenant]) c.capture(interaction(t.id, i++));
    }, 10);
    try {
      const start = Date.now();
      const arrived = (t: ServiceTenant, after: number) =>
        arrivals.some((a) => a.tenant === t.id && a.at > after);
      await until(() => arrived(leaving, start), 3000, "the leaving tenant's interactions to arrive");

      await share(ctx(), leaving, false);
      const optedOut = Date.now();
      await until(() => !c.isSharing(leaving.id), 1000, "the client to see the opt-out");
      const seen = Date.now();
      await until(() => arrived(staying, seen + 300), 3000, "the other tenants' interactions to go on");
      expect(arrivals.filter((a) => a.tenant === leaving.id && a.at > optedOut + 1000)).toEqual([]);
      expect(c.isSharing(staying.id)).toBe(true);
    } finally {
      clearInterval(traffic);
    }
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.dropped.consentOff).toBeGreaterThan(0);
    expect(c.counters.failed).toBe(0);
    await share(ctx(), leaving, true);
  });

  it("resumes its stream after a reconnect with Last-Event-ID: the missed changes, no new snapshot", async () => {
    // Polls rarely: what brings the changes back is the stream's resume.
    const c = live.client(key, { reconnectDelayMs: 50, maxReconnectDelayMs: 200, pollIntervalMs: 60_000 });
    await c.ready(5000);
    const snapshots = c.sharingState.tenants?.snapshots;
    const [joining, leaving] = [tenants[21] as ServiceTenant, sharing[21] as ServiceTenant];
    expect(c.isSharing(joining.id)).toBe(false);
    const connections = lastEventIds.length;

    await live.server.stop();
    await share(ctx(), joining, true);
    await share(ctx(), leaving, false);
    await live.server.start();

    // The client also polls once when its stream ends; on a loaded machine that poll may land after
    // the restart and bring the state first, so wait for the resumed stream as well.
    await until(
      () => c.isSharing(joining.externalId) && !c.isSharing(leaving.id) && lastEventIds.length > connections,
      5000,
      "the resumed stream to bring the missed changes",
    );
    const resumed = lastEventIds.slice(connections);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((id) => id !== null && id.length > 0)).toBe(true);
    expect(c.sharingState.tenants?.snapshots).toBe(snapshots);
    expect(c.sharingState.tenants?.sharingTenants).toBe(500);
    await share(ctx(), joining, false);
    await share(ctx(), leaving, true);
  });

  it("with whileUnknown: buffer, keeps what it captured before the snapshot and sends only the sharing tenants' part", async () => {
    const c = live.client(key, { whileUnknown: "buffer", flushIntervalMs: 20 });
    const [on, off] = [sharing[40], tenants[41]] as [ServiceTenant, ServiceTenant];
    const from = arrivals.length;
    // No answer can have arrived yet: capture() runs before any I/O of the client.
    expect(c.sharingOf(on.id)).toBe("unknown");
    expect(c.capture(interaction(on.id))).toBe(true);
    expect(c.capture(interaction(off.externalId))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters).toMatchObject({ sent: 1, dropped: { consentOff: 1, consentUnknown: 0 } });
    expect(arrivals.slice(from).map((a) => a.tenant)).toEqual([on.id]);
  });

  it("stops when its service key is revoked: the stream ends, the key is refused, nothing more is sent", async () => {
    const made = await serviceKey(ctx());
    const c = live.client(made.key, { flushIntervalMs: 20, reconnectDelayMs: 50 });
    await c.ready(5000);
    const t = sharing[50] as ServiceTenant;
    expect(c.capture(interaction(t.id))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    await ctx().services.serviceKeys.revoke(made.id, CLI_ACTOR);
    await until(() => c.sharingState.keyRefused, 10_000, "the client to learn the key is refused");
    expect(c.isSharing(t.id)).toBe(false);
    expect(c.capture(interaction(t.id))).toBe(false);
    expect(c.counters).toMatchObject({ sent: 1, dropped: { keyRefused: 1 } });
  });

  it("exports each span under its own tenant (span, then resource): spans of tenants that are off never leave", async () => {
    const exporter = createAssentSpanExporter({ url: live.server.url, key });
    expect(await exporter.ready(5000)).toBe("on");
    const [on, off, onByResource] = [sharing[30], tenants[31], sharing[32]] as [
      ServiceTenant,
      ServiceTenant,
      ServiceTenant,
    ];
    const before = [await storedCount(ctx(), on), await storedCount(ctx(), onByResource)];
    const chat = (provider: BasicTracerProvider, tenant?: string) => {
      const span = provider.getTracer("t").startSpan("chat gpt-4o", {
        kind: SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o",
          "assent.feature": "sales.email-draft",
          "gen_ai.input.messages": JSON.stringify([
            { role: "user", parts: [{ type: "text", content: "p" }] },
          ]),
          "gen_ai.output.messages": JSON.stringify([
            { role: "assistant", parts: [{ type: "text", content: "a" }] },
          ]),
          ...(tenant ? { "assent.tenant": tenant } : {}),
        },
      });
      span.end();
    };
    const plain = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const ofTenant = new BasicTracerProvider({
      resource: resourceFromAttributes({ "assent.tenant": onByResource.externalId }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    chat(plain, on.id);
    chat(plain, off.id);
    chat(plain); // names no tenant
    chat(ofTenant); // the resource's tenant
    chat(ofTenant, off.externalId); // the span's own attribute comes first
    await plain.forceFlush();
    await ofTenant.forceFlush();
    await exporter.forceFlush();

    expect(exporter.counters).toMatchObject({ exported: 2, droppedLocally: 2, noTenant: 1, failed: 0 });
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.filter((t) => t.includes(off.id) || t.includes(off.externalId))).toEqual([]);
    expect([await storedCount(ctx(), on), await storedCount(ctx(), onByResource)]).toEqual(
      before.map((n) => n + 1),
    );
    expect(await storedCount(ctx(), off)).toBe(0);
    await exporter.shutdown();
  });
});
