import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exceedsDepth } from "../src/modules/capture/depth.js";
import { item } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import {
  firstStartMs,
  keyedTenant,
  loadFixture,
  postTraces,
  spansOf,
  storedInteractions,
} from "./otlp-support.js";

const deepArray = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

describe("content nesting depth", () => {
  it("is measured without recursion", () => {
    expect(exceedsDepth("text", 1)).toBe(false);
    expect(exceedsDepth([[1]], 2)).toBe(false);
    expect(exceedsDepth([[1]], 1)).toBe(true);
    expect(exceedsDepth({ a: [{ b: 1 }] }, 2)).toBe(true);
    expect(exceedsDepth(JSON.parse(deepArray(200_000)), 64)).toBe(true);
  });
});

describe.each(dialects())("deeply nested content on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, { config: { ingest: { maxContentDepth: 32 } } });
  });
  afterAll(async () => ctx?.close());

  it("rejects the one deep item of a /v1/interactions batch and takes the others", async () => {
    const t = await keyedTenant(ctx, { sharing: true });
    const ok = JSON.stringify(item({ input: { a: [[[{ b: "fine" }]]] } }));
    const payload = `{"interactions":[${ok},{"feature":"f","input":${deepArray(5000)},"output":null},{"feature":"f","input":"x","output":${deepObject(33)}}]}`;
    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/interactions",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
      payload,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      { index: 1, error: "input and output may nest at most 32 levels deep" },
      { index: 2, error: "input and output may nest at most 32 levels deep" },
    ]);
  });

  it("counts a /v1/traces span whose gen_ai.prompt nests 5,000 levels as not taken, never a 500", async () => {
    const request = loadFixture("legacy-attributes");
    const t = await keyedTenant(ctx, { sharing: true, optInAt: firstStartMs(request) - 1000 });
    const [span] = spansOf(request);
    const deep = structuredClone(span) as typeof span & { events: Array<{ attributes: unknown[] }> };
    deep.spanId = "00000000000000aa";
    deep.events[0] = {
      ...deep.events[0],
      attributes: [{ key: "gen_ai.prompt", value: { stringValue: deepArray(5000) } }],
    };
    const resourceSpans = request.resourceSpans as Array<{ scopeSpans: Array<{ spans: unknown[] }> }>;
    resourceSpans[0]?.scopeSpans[0]?.spans.push(deep);
    for (const encoding of ["json", "protobuf"] as const) {
      const res = await postTraces(ctx, t.key, request, { encoding });
      expect(res.status).toBe(200);
      expect(res.body.partialSuccess).toMatchObject({ rejectedSpans: 1 });
    }
    expect(await storedInteractions(ctx, t)).toHaveLength(1);
  });
});
