import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_ANSWER, type FakeModelServer, startFakeModelServer } from "./fake-model-server.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { instrumentedClient, PROMPT, telemetry } from "./instrumented-calls.js";
import { type Json, storedInteractions } from "./otlp-support.js";
import { type ServiceTenant, serviceKey, serviceTenants, share } from "./service-fixtures.js";

/**
 * POST /v1/logs with a service key: a GenAI content record names its tenant like a span does
 * (the record's attribute, else its resource's; otlp.tenantAttributes), and joins its
 * content-less model-call span within the window keyed by (tenant, trace, span). First the real
 * OpenAI instrumentation and OTLP exporters (content in log records), then hand-made exports.
 */
const TRACE = "6c8efff798038103d269b633813fc60c";
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const kv = (entries: Record<string, string>) => ({
  kvlistValue: { values: Object.entries(entries).map(([k, v]) => str(k, v)) },
});

function chatSpans(spanId: string, startMs: number, attrs: Json[], resource: Json[] = []): Json {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "crm-copilot"), ...resource] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE,
                spanId,
                name: "chat gpt-4o-mini",
                startTimeUnixNano: `${BigInt(startMs) * 1_000_000n}`,
                endTimeUnixNano: `${BigInt(startMs + 800) * 1_000_000n}`,
                attributes: [
                  str("gen_ai.operation.name", "chat"),
                  str("gen_ai.system", "openai"),
                  str("gen_ai.request.model", "gpt-4o-mini"),
                  ...attrs,
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** A user message and a choice for one span, with `attrs` on each record. */
function contentRecords(spanId: string, attrs: Json[], text: string): Json[] {
  return [
    {
      traceId: TRACE,
      spanId,
      body: kv({ content: text }),
      attributes: [str("event.name", "gen_ai.user.message"), ...attrs],
    },
    {
      traceId: TRACE,
      spanId,
      eventName: "gen_ai.choice",
      body: {
        kvlistValue: {
          values: [str("finish_reason", "stop"), { key: "message", value: kv({ content: "Done." }) }],
        },
      },
      attributes: attrs,
    },
  ];
}

const logsOf = (groups: { resource: Json[]; records: Json[] }[]): Json => ({
  resourceLogs: groups.map((g) => ({
    resource: { attributes: g.resource },
    scopeLogs: [{ logRecords: g.records }],
  })),
});

describe.each(dialects())("OTLP logs with a service key on %s", (dialect) => {
  let ctx: TestContext;
  let tenants: ServiceTenant[];
  let model: FakeModelServer;
  let base: string;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: { otlp: { tenantAttributes: ["assent.tenant", "tenant.id"] } },
    });
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const address = ctx.app.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening on a port");
    base = `http://127.0.0.1:${address.port}`;
    model = await startFakeModelServer();
    ctx.clock.set(Date.now() - 60_000);
    tenants = await serviceTenants(ctx, { us: 2, eu: 1 });
    await share(ctx, tenants[0]!, true);
    await share(ctx, tenants[2]!, true);
    ctx.clock.set(Date.now() + 60_000);
    key = (await serviceKey(ctx)).key;
  });
  afterAll(async () => {
    await model?.close();
    await ctx?.close();
  });

  it.each(["json", "protobuf"] as const)(
    "the real OpenAI instrumentation's span and content records (%s) are stored for the resource's tenant",
    async (encoding) => {
      const euOn = tenants[2]!;
      const tel = telemetry(base, key, encoding, "crm-copilot", { "assent.tenant": euOn.externalId });
      const client = instrumentedClient("otel-openai", tel, model.baseURL);
      try {
        const before = (await storedInteractions(ctx, { ...euOn, key })).length;
        expect(await client.call({ stream: false })).toBe(FAKE_ANSWER);
        await tel.flush();
        const stored = await storedInteractions(ctx, { ...euOn, key });
        expect(stored).toHaveLength(before + 1);
        expect(JSON.stringify(stored.at(-1)?.input)).toContain(PROMPT);
        expect(ctx.services.otlp.waiting().entries).toBe(0);
      } finally {
        client.close();
        await tel.shutdown();
      }
    },
  );

  it("joins by (tenant, trace, span): records name their tenant on themselves or their resource; none, unknown or off is not stored", async () => {
    const [usOn, usOff, euOn] = tenants as [ServiceTenant, ServiceTenant, ServiceTenant];
    const now = ctx.clock.now();
    const post = (url: string, payload: Json) =>
      ctx.app.inject({
        method: "POST",
        url,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        payload,
      });
    // The same trace and span ids for two tenants: two spans, never one.
    const spanId = "bb00000000000001";
    for (const t of [usOn, euOn, usOff]) {
      const res = await post("/v1/traces", chatSpans(spanId, now - 2000, [str("assent.tenant", t.id)]));
      expect(res.statusCode).toBe(200);
    }
    expect(ctx.services.otlp.waiting().entries).toBe(3);
    const res = await post(
      "/v1/logs",
      logsOf([
        // usOn's on the record (second configured name), euOn's on the resource.
        { resource: [], records: contentRecords(spanId, [str("tenant.id", usOn.externalId)], "for us") },
        { resource: [str("assent.tenant", euOn.id)], records: contentRecords(spanId, [], "for eu") },
        { resource: [str("assent.tenant", usOff.id)], records: contentRecords(spanId, [], "for off") },
        // No tenant; an unknown one.
        { resource: [], records: contentRecords("bb00000000000002", [], "nobody") },
        { resource: [str("assent.tenant", "no-such-tenant")], records: contentRecords(spanId, [], "x") },
      ]),
    );
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer.partialSuccess.rejectedLogRecords).toBe(5);
    expect(answer.partialSuccess.errorMessage).toMatch(/log record 6 \(bb00000000000002\): no tenant/);
    expect(answer.partialSuccess.errorMessage).toMatch(/log record 8 \(bb00000000000001\): unknown tenant/);
    expect(answer.partialSuccess.errorMessage).toMatch(/sharing is off/);
    expect(ctx.services.otlp.waiting().entries).toBe(0);
    const inputs = async (t: ServiceTenant) =>
      (await storedInteractions(ctx, { ...t, key })).map((i) => JSON.stringify(i.input));
    expect((await inputs(usOn)).filter((i) => i.includes("for us"))).toHaveLength(1);
    expect((await inputs(euOn)).filter((i) => i.includes("for eu"))).toHaveLength(1);
    expect(await inputs(usOff)).toHaveLength(0);
    expect((await inputs(usOn)).some((i) => i.includes("for eu"))).toBe(false);
  });

  it("a record of a tenant outside the key's regions is rejected by index", async () => {
    const { key: usOnly } = await serviceKey(ctx, ["us"]);
    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { authorization: `Bearer ${usOnly}`, "content-type": "application/json" },
      payload: logsOf([
        {
          resource: [str("assent.tenant", tenants[2]!.id)],
          records: contentRecords("cc00000000000001", [], "x"),
        },
      ]),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().partialSuccess.errorMessage).toMatch(
      /log record 0 .*outside the service key's regions/,
    );
    expect(ctx.services.otlp.waiting().entries).toBe(0);
  });
});
