import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { installErrorHandler } from "../src/http/error-handler.js";
import { CONTENT_SECURITY_POLICY, webRoutes } from "../src/http/web-routes.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head></html>';
const SCRIPT = "console.log('app');";
const OUTSIDE = `outside-the-root-${Math.random().toString(36).slice(2)}`;

/** A built app on disk, like `vite build` leaves it, with a file beside it that must never be served. */
function fakeBuild(): { dir: string; root: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-web-"));
  const root = path.join(dir, "dist");
  mkdirSync(path.join(root, "assets"), { recursive: true });
  writeFileSync(path.join(root, "index.html"), INDEX);
  writeFileSync(path.join(root, "assets", "app-1a2b3c.js"), SCRIPT);
  writeFileSync(path.join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(path.join(root, ".env"), OUTSIDE);
  writeFileSync(path.join(dir, "secret.txt"), OUTSIDE);
  return { dir, root };
}

async function webOnly(root: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  installErrorHandler(app, 1024);
  await app.register(webRoutes, { root });
  await app.ready();
  return app;
}

const expectSecurityHeaders = (headers: Record<string, unknown>) => {
  expect(headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
  expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
  expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-frame-options"]).toBe("DENY");
};

describe("the web app's routes", () => {
  let build: { dir: string; root: string };
  let app: FastifyInstance;

  beforeAll(async () => {
    build = fakeBuild();
    app = await webOnly(build.root);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(build.dir, { recursive: true, force: true });
  });

  it("serves index.html at / with the security headers and no caching", async () => {
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expectSecurityHeaders(res.headers);
    expect((await app.inject({ method: "HEAD", url: "/" })).statusCode).toBe(200);
  });

  it("answers every screen path with index.html (the app routes in the browser)", async () => {
    for (const url of ["/admin", "/review/interactions/01abc", "/operations/audit?x=1", "/index.html"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expectSecurityHeaders(res.headers);
    }
  });

  it("serves hashed assets as immutable, other files briefly", async () => {
    const js = await app.inject({ method: "GET", url: "/assets/app-1a2b3c.js" });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe(SCRIPT);
    expect(js.headers["content-type"]).toMatch(/javascript/);
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    const icon = await app.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    expect(icon.headers["cache-control"]).toBe("public, max-age=3600");
  });

  it("answers a missing asset with a JSON 404, not the app", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/gone-123.js" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: "not_found", message: "no route GET /assets/gone-123.js" });
  });

  it("keeps JSON 404s for the API, ingestion, docs and operations paths", async () => {
    for (const url of [
      "/api",
      "/api/nope",
      "/%61pi/nope",
      "/v1/nope",
      "/docs-x",
      "/docs/nope",
      "/metrics/x",
      "/healthz/x",
    ]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error, url).toBe("not_found");
    }
    for (const url of ["/readyz", "/openapi.json", "/metrics", "/healthz"]) {
      // Not registered in this bare app: they must fall through to the JSON 404, not index.html.
      expect((await app.inject({ method: "GET", url })).json().error, url).toBe("not_found");
    }
    expect((await app.inject({ method: "POST", url: "/" })).statusCode).toBe(404);
  });

  it("never serves a file outside the build or a dotfile", async () => {
    for (const url of [
      "/..%2fsecret.txt",
      "/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/.env",
      "/assets/%2e%2e%2f.env",
      "/%00",
      "/%E0%A4%A",
    ]) {
      const res = await app.inject({ method: "GET", url });
      expect([200, 400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain(OUTSIDE);
      if (res.statusCode === 200) expect(res.body, url).toBe(INDEX);
    }
  });
});

describe("the web app before it is built", () => {
  it("answers a JSON 503 saying to run the build, then serves it once built", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "assent-web-empty-"));
    const root = path.join(dir, "dist");
    const app = await webOnly(root);
    try {
      for (const url of ["/", "/admin"]) {
        const res = await app.inject({ method: "GET", url });
        expect(res.statusCode, url).toBe(503);
        expect(res.json().error).toBe("web_app_not_built");
        expect(res.json().message).toContain("npm run build");
      }
      expect((await app.inject({ method: "GET", url: "/api/nope" })).statusCode).toBe(404);
      mkdirSync(root);
      writeFileSync(path.join(root, "index.html"), INDEX);
      const built = await app.inject({ method: "GET", url: "/" });
      expect(built.statusCode).toBe(200);
      expect(built.body).toBe(INDEX);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(dialects())("the web app inside the whole server on %s", (dialect) => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let build: { dir: string; root: string };

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    build = fakeBuild();
    app = await buildApp(ctx.services, { logger: false, webRoot: build.root });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    rmSync(build.dir, { recursive: true, force: true });
  });

  it("leaves the API, docs and operations routes as they were", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/metrics" })).headers["content-type"]).toMatch(
      /^text\/plain/,
    );
    const docs = await app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    const spec = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(Object.keys(spec.json().paths)).not.toContain("/");
    expect(Object.keys(spec.json().paths)).not.toContain("/*");
    const session = await app.inject({ method: "GET", url: "/api/session" });
    expect(session.statusCode).toBe(401);
    expect(session.json().error).toBe("unauthorized");
    const missing = await app.inject({ method: "GET", url: "/api/tenants/x/nothing-here" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe("not_found");
  });

  it("serves the app at / and its screens", async () => {
    const res = await app.inject({ method: "GET", url: "/approvals" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expectSecurityHeaders(res.headers);
  });
});
