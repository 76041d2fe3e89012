import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";

export interface WebRoutesDeps {
  /** The built web app (`packages/web/dist`): index.html and its hashed assets. */
  readonly root: string;
}

/** Where `npm run build` puts the web app, seen from this file in src/http or dist/http. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist", import.meta.url));

export const webAppBuilt = (root: string = DEFAULT_WEB_ROOT): boolean =>
  existsSync(path.join(root, "index.html"));

/**
 * Self only, no inline script or style: the build emits external files only, and React sets
 * styles through the CSSOM, which the policy allows.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** Paths that belong to the API and operations: never the app, so their 404s stay JSON. */
const SERVER_PREFIXES = ["/api", "/v1", "/metrics", "/healthz", "/readyz", "/openapi.json"];

export function isServerPath(urlPath: string): boolean {
  let path = urlPath;
  try {
    // The router matches decoded paths: `/%61pi/x` is `/api/x` to it, and must be here too.
    path = decodeURIComponent(urlPath);
  } catch {
    // Not decodable: compare as sent.
  }
  if (path.startsWith("/docs")) return true;
  return SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

/** The file under `root` that a URL path names, relative to root; null when none (or outside). */
function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  // Normalising from "/" drops every `..` that would climb above the root.
  const absolute = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (!absolute.startsWith(root + path.sep)) return null;
  const relative = path.relative(root, absolute);
  if (relative.split(path.sep).some((part) => part.startsWith("."))) return null;
  try {
    return statSync(absolute).isFile() ? relative : null;
  } catch {
    return null;
  }
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * The web app at `/`: its files, and index.html for every other GET path that is not the API's
 * (the app routes in the browser). Built by `npm run build`; until then a JSON 503 says so.
 */
export const webRoutes: FastifyPluginAsync<WebRoutesDeps> = async (app, deps) => {
  const root = path.resolve(deps.root);
  let built = false;
  const isBuilt = () => {
    built ||= webAppBuilt(root);
    return built;
  };
  // serve: false: only reply.sendFile, the routes are below. suppressWarning (not in the
  // plugin's types) keeps an unbuilt app from warning at every start; requests say it instead.
  const staticOptions = { root, serve: false as const, index: false as const, suppressWarning: true };
  await app.register(fastifyStatic, staticOptions);

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const urlPath = request.url.split("?")[0] ?? "/";
    if (isServerPath(urlPath)) return reply.callNotFound();
    void reply.headers(WEB_SECURITY_HEADERS);
    if (!isBuilt()) {
      return reply.status(503).send({
        error: "web_app_not_built",
        message: "the web app is not built: run `npm run build` in the repository root, then restart",
      });
    }
    const file = urlPath === "/" ? null : fileIn(root, urlPath);
    if (file !== null && file !== "index.html") {
      // Vite names assets by content hash: they never change under the same name.
      const hashed = file.startsWith(`assets${path.sep}`);
      return reply.sendFile(file, hashed ? { maxAge: YEAR_MS, immutable: true } : { maxAge: 3600 * 1000 });
    }
    // A missing asset is a plain 404; any other path is a screen of the app.
    if (urlPath.startsWith("/assets/")) return reply.callNotFound();
    void reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html", { cacheControl: false });
  };

  const options = { schema: { hide: true } };
  app.get("/", options, serve);
  app.get("/*", options, serve);
};
