import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type Json, loadFixture, spansOf } from "./otlp-support.js";
import { type ServiceTenant, serviceKey, serviceTenants, share } from "./service-fixtures.js";

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One resourceSpans of the modern-chat fixture's model-call span, re-timed to now, with ids and tenant attributes. */
function resourceSpans(nowMs: number, spanId: string, span: Json[], resource: Json[]) {
  const fixture = loadFixture("modern-chat");
  const model = structuredClone(spansOf(fixture)[0]) as Json & { attributes: Json[] };
  const startNs = BigInt(nowMs - 1000) * 1_000_000n;
  return {
    resource: { attributes: [attr("service.name", "crm-copilot"), ...resource] },
    scopeSpans: [
      {
        scope: { name: "test" },
        spans: [
          {
            ...model,
            spanId,
            startTimeUnixNano: String(startNs),
            endTimeUnixNano: String(startNs + 500_000_000n),
            attributes: [...model.attributes, ...span],
          },
        ],
      },
    ],
  };
}

describe.each(dialects())("OTLP traces with a service key on %s", (dialect) => {
  let ctx: TestContext;
  let tenants: ServiceTenant[];
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: { otlp: { tenantAttributes: ["assent.tenant", "tenant.id"] } },
    });
    tenants = await serviceTenants(ctx, { us: 2, eu: 1 });
    await share(ctx, tenants[0]!, true);
    await share(ctx, tenants[2]!, true);
    ctx.clock.advance(5000);
  });
  afterAll(async () => ctx?.close());

  it("takes each span's tenant from the span, else its resource; a model-call span without one is rejected", async () => {
    const [usOn, usOff, euOn] = tenants as [ServiceTenant, ServiceTenant, ServiceTenant];
    const { key } = await serviceKey(ctx);
    const now = ctx.clock.now();
    const body = {
      resourceSpans: [
        // On the span; the resource names another tenant, the span wins.
        resourceSpans(
          now,
          "aa00000000000001",
          [attr("assent.tenant", usOn.externalId)],
          [attr("assent.tenant", euOn.id)],
        ),
        // On the resource only.
        resourceSpans(now, "aa00000000000002", [], [attr("assent.tenant", euOn.id)]),
        // The second configured name, for a tenant that does not share.
        resourceSpans(now, "aa00000000000003", [attr("tenant.id", usOff.id)], []),
        // No tenant anywhere.
        resourceSpans(now, "aa00000000000004", [], []),
      ],
    };
    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/traces",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer.partialSuccess.rejectedSpans).toBe(2);
    expect(answer.partialSuccess.errorMessage).toMatch(/1 span dropped: their tenant's sharing is off/);
    expect(answer.partialSuccess.errorMessage).toMatch(/span 3 \(aa00000000000004\): no tenant/);
    const count = async (region: string, tenantId: string) =>
      Number(
        (
          await ctx.services.stores.regions
            .get(region)!
            .db.selectFrom("interactions")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("tenant_id", "=", tenantId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count("us", usOn.id)).toBe(1);
    expect(await count("eu", euOn.id)).toBe(1);
    expect(await count("us", usOff.id)).toBe(0);
  });
});
