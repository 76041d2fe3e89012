import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setSharing, staffUser, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, type TestContext } from "./harness.js";

/**
 * Fuzz over every public route: random path parameters, query, headers and body (with marker
 * strings standing for content), sent with and without a valid credential. No answer may be a
 * 5xx; no error answer, no log line and no ingest answer may carry a marker. The number of cases
 * is ASSENT_FUZZ_RUNS (10,000 by default; `npm run bench -- fuzz` runs more), split over routes.
 */
const TOTAL_RUNS = Number(process.env.ASSENT_FUZZ_RUNS ?? 10_000);
const MARKER = "FUZZCONTENT";

interface Route {
  readonly method: string;
  readonly path: string;
}

const marked = fc.string({ maxLength: 12 }).map((s) => `${MARKER}${s}`);
/** URLs (path and query) are logged by design: they carry ids and filters, never content. */
const urlText = fc.string({ maxLength: 12 }).map((s) => `QV${s}`);
const scalar = fc.oneof(
  marked,
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("1e309", "-1", "0", "NaN", "Infinity", "__proto__", "../../etc/passwd", "%00"),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom(
        "interactions",
        "input",
        "output",
        "feature",
        "enabled",
        "email",
        "password",
        "limit",
        "name",
        "region",
        "tenantId",
      ),
    ),
    tie("value"),
    { maxKeys: 5 },
  ),
})).value;
const body = fc.oneof(
  json.map((v) => JSON.stringify(v)),
  fc
    .record({
      interactions: fc.array(fc.record({ feature: fc.constantFrom("f", ""), input: json, output: json }), {
        maxLength: 3,
      }),
    })
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc.constant(""),
  fc.constantFrom(
    "{",
    '{"a":',
    "[".repeat(3000),
    `{"interactions":[{"feature":"f","input":${"[".repeat(200)}1${"]".repeat(200)},"output":null}]}`,
  ),
);
const query = fc.dictionary(
  fc.constantFrom(
    "limit",
    "cursor",
    "tenant",
    "from",
    "to",
    "state",
    "region",
    "feature",
    "action",
    "actor",
    "q",
    "x",
  ),
  fc.oneof(
    fc.string({ maxLength: 20 }),
    urlText,
    fc.constantFrom("1e309", "-5", "0", "abc", "2026-01-01T00:00:00Z"),
  ),
  { maxKeys: 3 },
);
const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-protobuf",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
);

describe("fuzz over every public route", () => {
  let ctx: TestContext;
  let t: TenantFixture;
  let cookies: string[];
  let routes: Route[];
  beforeAll(async () => {
    ctx = await createTestContext("sqlite", { config: { ingest: { rateLimitPerMinute: 0 } } });
    t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    const staff = await staffUser(ctx, ["operator", "reviewer", "approver"]);
    cookies = [t.adminCookie, staff.cookie];
    const spec = (await ctx.app.swagger()) as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ["get", "post", "put", "delete", "patch"].includes(m))
        // A server-sent event stream never ends: its answers are tested in sharing-stream.test.ts.
        .filter(() => !path.endsWith("/stream"))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
  });
  afterAll(async () => ctx?.close());

  it(`answers no 5xx and leaks no content over ${TOTAL_RUNS} cases`, async () => {
    expect(routes.length).toBeGreaterThan(20);
    const perRoute = Math.ceil(TOTAL_RUNS / routes.length);
    let cases = 0;
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), urlText), {
            minLength: 4,
            maxLength: 4,
          }),
          query,
          body,
          contentType,
          fc.constantFrom("none", "key", "bad-key", "cookie", "cookie-cross-site"),
          fc.boolean(),
          async (params, q, payload, type, who, gzipHeader) => {
            cases += 1;
            let i = 0;
            const url = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++] ?? "x"));
            const headers: Record<string, string> = {};
            if (type) headers["content-type"] = type;
            if (gzipHeader) headers["content-encoding"] = "gzip";
            if (who === "key") headers.authorization = `Bearer ${t.key}`;
            if (who === "bad-key") headers.authorization = `bearer\t${MARKER}`;
            if (who.startsWith("cookie")) {
              headers.cookie = cookies[cases % cookies.length] as string;
              headers["x-assent-request"] = "1";
            }
            if (who === "cookie-cross-site") headers.origin = "https://evil.example";
            const before = ctx.logs.length;
            const res = await ctx.app.inject({
              method: route.method as "GET",
              url,
              query: q,
              headers,
              ...(route.method === "GET" || route.method === "DELETE" ? {} : { payload }),
            });
            if (res.statusCode >= 500) {
              throw new Error(`${route.method} ${route.path} → ${res.statusCode} ${res.body.slice(0, 200)}`);
            }
            const leakedAnswer =
              (res.statusCode >= 400 || route.path.startsWith("/v1/")) && res.body.includes(MARKER);
            if (leakedAnswer) throw new Error(`${route.method} ${route.path} quoted content in its answer`);
            if (ctx.logs.slice(before).some((l) => l.includes(MARKER))) {
              throw new Error(`${route.method} ${route.path} logged content`);
            }
          },
        ),
        { numRuns: perRoute, seed: Number(process.env.ASSENT_FUZZ_SEED ?? 1) },
      );
    }
    process.stdout.write(`fuzz: ${cases} cases over ${routes.length} routes, no 5xx, no content leaked\n`);
    expect(cases).toBeGreaterThanOrEqual(TOTAL_RUNS);
  }, 600_000);
});
