import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REASON_CODES } from "../src/modules/access/grants/types.js";
import { staffUser, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type ServeProcess, startServe } from "./serve-process.js";

describe.each(dialects())("query and body numbers on %s", (dialect) => {
  let ctx: TestContext;
  let t: TenantFixture;
  let staff: { cookie: string };
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    t = await tenantWithAdmin(ctx);
    staff = await staffUser(ctx, ["operator", "reviewer", "approver"]);
  });
  afterAll(async () => ctx?.close());

  it.each(["1e309", "-1e309", "Infinity", "1.5", "abc", "0", "99999999999999999999"])(
    "answers 400, never 500, to limit=%s on every paged list",
    async (limit) => {
      const routes: Array<[string, string]> = [
        ["/api/tenant/deletion-receipts", t.adminCookie],
        ["/api/tenant/access-log", t.adminCookie],
        ["/api/audit", staff.cookie],
        ["/api/access-requests", staff.cookie],
        ["/api/review/interactions", staff.cookie],
      ];
      for (const [url, cookie] of routes) {
        const res = await ctx.app.inject({
          method: "GET",
          url: `${url}?limit=${encodeURIComponent(limit)}`,
          headers: { cookie },
        });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
        expect(res.json().error).toBe("invalid_request");
      }
    },
  );

  // Already 400 before (Ajv's integer type rejects Infinity in a body); kept as a guard.
  it("answers 400 to a non-finite number in a JSON body", async () => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/access-requests",
      headers: { cookie: staff.cookie, "content-type": "application/json" },
      payload: `{"region":"us","tenantId":"${t.id}","reasonCode":"${REASON_CODES[0]}","justification":"a reason","durationMinutes":1e309}`,
    });
    expect(res.statusCode).toBe(400);
  });
});

describe("uploads cut off or too large (a real assent serve)", () => {
  let server: ServeProcess & { key: string };
  let key: string;
  beforeAll(async () => {
    server = await startServe({ config: { ingest: { maxBodyBytes: 1024 * 1024 } } });
    key = server.key;
  });
  afterAll(async () => server?.stop());

  const post = (body: string) =>
    fetch(`${server.url}/v1/interactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });

  it("lets a fetch client read the 413 of a body over the limit instead of a reset", async () => {
    for (const mb of [2, 8]) {
      const big = `{"interactions":[{"feature":"f","input":"${"x".repeat(mb * 1024 * 1024)}","output":null}]}`;
      for (let i = 0; i < 3; i++) {
        const res = await post(big);
        expect(res.status).toBe(413);
        expect(((await res.json()) as { error: string }).error).toBe("payload_too_large");
      }
    }
    // The server is still taking small bodies.
    expect((await post('{"interactions":[{"feature":"f","input":"x","output":null}]}')).status).toBe(200);
  });

  it("logs an upload aborted mid-body as upload_aborted at info, not as a store failure", async () => {
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /v1/interactions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\n` +
        'content-type: application/json\r\ncontent-length: 100000\r\n\r\n{"interactions":[',
    );
    // Wait until the server has the request, then cut the upload.
    const deadline = Date.now() + 10_000;
    while (
      !/"url":"\/v1\/interactions"[^\n]*incoming request/.test(
        server.output().split("upload_aborted")[0] ?? "",
      )
    ) {
      if (Date.now() > deadline) throw new Error("the request never arrived");
      await new Promise((r) => setTimeout(r, 20));
    }
    socket.destroy();
    while (!server.output().includes("upload_aborted")) {
      if (Date.now() > deadline) throw new Error(`no upload_aborted line:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const line =
      server
        .output()
        .split("\n")
        .find((l) => l.includes("upload_aborted")) ?? "";
    expect(JSON.parse(line).level).toBe(30);
    expect(server.output()).not.toContain("store_unavailable");
  });
});
