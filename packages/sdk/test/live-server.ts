import type { FastifyInstance } from "fastify";
import { type AppOptions, buildApp } from "../../server/src/app.js";
import type { Dialect } from "../../server/src/stores/store.js";
import { tenantWithAdmin } from "../../server/test/fixtures.js";
import { createTestContext, type TestContext, type TestOptions } from "../../server/test/harness.js";

/** One request as the real server saw it: no bodies, only what the tests assert on. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly at: number;
  /** The bearer token, so a test can tell its tenant's requests from others'. */
  readonly key: string | null;
  status?: number;
  retryAfter?: string;
}

/**
 * The real Assent server listening on loopback, over the harness's services and stores. The
 * app is built here (not the harness's, which is already booted) so hooks can record what
 * arrives; `stop()` and `start()` take it down and bring a new app up on the same port.
 */
export interface LiveServer {
  readonly ctx: TestContext;
  readonly url: string;
  readonly port: number;
  readonly requests: SeenRequest[];
  /** Requests to `POST /v1/interactions` (the only ones that carry content), of one key if given. */
  ingests(key?: string): SeenRequest[];
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface LiveServerOptions extends TestOptions {
  /** Adds hooks to every app this server builds, before it listens. */
  readonly setup?: (app: FastifyInstance) => void;
  readonly app?: Pick<AppOptions, "rateLimitWindowMs">;
}

export async function startLiveServer(dialect: Dialect, opts: LiveServerOptions = {}): Promise<LiveServer> {
  const ctx = await createTestContext(dialect, opts);
  const requests: SeenRequest[] = [];
  let app: FastifyInstance | null = null;
  let port = 0;

  const start = async () => {
    const next = await buildApp(ctx.services, { ...opts.app, logger: false });
    next.addHook("onRequest", async (request) => {
      const auth = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "");
      const seen: SeenRequest = {
        method: request.method,
        path: request.url.split("?")[0] ?? "",
        at: Date.now(),
        key: auth?.[1] ?? null,
      };
      requests.push(seen);
      (request as unknown as { seen: SeenRequest }).seen = seen;
    });
    next.addHook("onSend", async (request, reply) => {
      const seen = (request as unknown as { seen?: SeenRequest }).seen;
      if (!seen) return;
      seen.status = reply.statusCode;
      const ra = reply.getHeader("retry-after");
      if (ra !== undefined) seen.retryAfter = String(ra);
    });
    opts.setup?.(next);
    await next.listen({ port, host: "127.0.0.1" });
    const address = next.server.address();
    if (typeof address === "object" && address) port = address.port;
    app = next;
  };
  const stop = async () => {
    const current = app;
    app = null;
    await current?.close();
  };
  await start();
  return {
    ctx,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    ingests: (key?: string) =>
      requests.filter(
        (r) => r.method === "POST" && r.path === "/v1/interactions" && (key === undefined || r.key === key),
      ),
    start,
    stop,
    async close() {
      await stop();
      await ctx.close();
    },
  };
}

export async function storedCount(ctx: TestContext, t: { id: string; region: string }): Promise<number> {
  return ctx.services.capture.countInteractions({ id: t.id, region: t.region });
}

export { tenantWithAdmin };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `cond` holds, checking every 10 ms; throws after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
