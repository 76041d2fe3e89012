import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerCredential } from "../src/http/credentials.js";
import { item, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, type TestContext } from "./harness.js";

describe("per-key ingest rate limit", () => {
  let ctx: TestContext;
  let t: TenantFixture;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite", { config: { ingest: { rateLimitPerMinute: 3 } } });
    t = await tenantWithAdmin(ctx);
  });
  afterAll(async () => ctx?.close());

  it("parses one credential from every spelling of the Bearer header", () => {
    for (const h of ["Bearer K", "bearer K", "BEARER K", "Bearer  K", "Bearer\tK", " Bearer K "]) {
      expect(bearerCredential(h)).toBe("K");
    }
    for (const h of ["Bearer", "Basic K", "Bearer K L", "", undefined, ["Bearer K"]]) {
      expect(bearerCredential(h)).toBeNull();
    }
  });

  it("counts one budget per key however the header is spelled", async () => {
    const spellings = [`Bearer ${t.key}`, `bearer ${t.key}`, `Bearer  ${t.key}`, `Bearer\t${t.key}`];
    const statuses: number[] = [];
    for (const authorization of spellings) {
      const res = await ctx.app.inject({
        method: "POST",
        url: "/v1/interactions",
        headers: { authorization },
        payload: { interactions: [item()] },
      });
      statuses.push(res.statusCode);
    }
    // Three requests per minute: the fourth spelling of the same key is over the budget.
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
