import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { newId } from "../src/ids.js";
import type { RegionDb } from "../src/stores/region-schema.js";
import type { Store } from "../src/stores/store.js";
import { grantAccess, staffMember } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const LIMIT = 5;

describe.each(dialects())("review queue keyset pages on %s", (dialect) => {
  let ctx: TestContext;
  let store: Store<RegionDb>;
  const tenants: string[] = [];
  /** Every seeded row, newest first by (occurredAt, id): the order pages must follow. */
  let rows: { id: string; tenant: string; feature: string; at: number }[] = [];

  beforeAll(async () => {
    ctx = await createTestContext(dialect, { regions: ["us"] });
    store = ctx.services.stores.regions.get("us")!;
    for (let i = 0; i < 3; i++) {
      tenants.push(
        (await ctx.services.tenants.createTenant({ name: `Pages ${i}`, region: "us" }, CLI_ACTOR)).id,
      );
    }
    // 1,950 rows seeded directly: three tenants, two features, and timestamps shared by runs of
    // three rows, so the pages must break ties by id.
    const now = ctx.clock.now();
    for (let i = 0; i < 1950; i++) {
      rows.push({
        id: newId(),
        tenant: tenants[i % 3]!,
        feature: i % 5 === 0 ? "docs.summarize" : "sales.email-draft",
        at: now - 60_000 - Math.floor(i / 3) * 1000,
      });
    }
    for (let i = 0; i < rows.length; i += 400) {
      await store.db
        .insertInto("interactions")
        .values(
          rows.slice(i, i + 400).map((r) => ({
            tenant_id: r.tenant,
            id: r.id,
            client_id: null,
            period_id: "period",
            key_id: "key",
            feature: r.feature,
            conversation_id: null,
            occurred_at: r.at,
            captured_at: r.at,
            content: Buffer.from("sealed"),
            model: null,
            provider: null,
            latency_ms: null,
            tokens_in: null,
            tokens_out: null,
            finish_reason: null,
            feedback: null,
            attributes: null,
          })),
        )
        .execute();
    }
    rows = rows.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  });
  afterAll(async () => ctx?.close());

  /** Follows nextCursor from page 1 and returns the ids of the wanted pages. */
  async function pages(cookie: string, query: string, wanted: readonly number[]) {
    const out = new Map<number, string[]>();
    let cursor: string | null = null;
    for (let page = 1; page <= Math.max(...wanted); page++) {
      const res = await ctx.app.inject({
        method: "GET",
        url: `/api/review/interactions?${query}&limit=${LIMIT}${cursor ? `&cursor=${cursor}` : ""}`,
        headers: { cookie },
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      if (wanted.includes(page))
        out.set(
          page,
          body.items.map((i) => i.id),
        );
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return out;
  }

  const expected = (match: (r: (typeof rows)[number]) => boolean, page: number) =>
    rows
      .filter(match)
      .slice((page - 1) * LIMIT, page * LIMIT)
      .map((r) => r.id);

  it("pages 1, 20 and 100 of tenant + feature hold exactly the right rows", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "us" });
    const got = await pages(reviewer.cookie, `tenant=${tenants[1]}&feature=sales.email-draft`, [1, 20, 100]);
    const match = (r: (typeof rows)[number]) => r.tenant === tenants[1] && r.feature === "sales.email-draft";
    expect(rows.filter(match).length).toBe(520);
    for (const page of [1, 20, 100]) expect(got.get(page)).toEqual(expected(match, page));
  });

  it("pages 1, 20 and 100 across the tenants two grants cover hold exactly the right rows", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    for (const tenantId of [tenants[0]!, tenants[2]!]) {
      await grantAccess(ctx, reviewer, approver, { region: "us", tenantId });
    }
    const got = await pages(reviewer.cookie, "feature=sales.email-draft", [1, 20, 100]);
    const match = (r: (typeof rows)[number]) => r.tenant !== tenants[1] && r.feature === "sales.email-draft";
    for (const page of [1, 20, 100]) expect(got.get(page)).toEqual(expected(match, page));
    expect(got.get(100)).toHaveLength(LIMIT);
  });
});
