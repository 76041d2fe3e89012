import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../errors.js";
import { SESSION_COOKIE } from "./auth.js";

/** The header the web app sends with every call; a cross-site form or no-cors fetch cannot set it. */
export const CSRF_HEADER = "x-assent-request";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery: SameSite=Strict keeps the session cookie off requests from other
 * sites, but not from another origin of the same site (a sibling subdomain) nor from browsers
 * that ignore it. A mutating request carrying the session cookie must therefore (1) be one a
 * page can only send with CORS permission — a JSON body or the custom header — and (2) come
 * from this origin when the browser says where it comes from (Origin, Sec-Fetch-Site).
 */
export function installCsrfCheck(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    if (SAFE_METHODS.has(request.method) || !hasSessionCookie(request)) return;
    const problem = csrfProblem(request);
    if (problem) throw new AppError(403, "cross_site_request", problem);
  });
}

function hasSessionCookie(request: FastifyRequest): boolean {
  const cookie = request.headers.cookie;
  return typeof cookie === "string" && cookie.includes(`${SESSION_COOKIE}=`);
}

/** Why a cookie-authenticated mutating request is refused, or null when it may proceed. */
export function csrfProblem(request: FastifyRequest): string | null {
  const type = String(request.headers["content-type"] ?? "")
    .split(";")[0]
    ?.trim()
    .toLowerCase();
  const json = type === "application/json" || (type?.startsWith("application/") && type.endsWith("+json"));
  if (!json && request.headers[CSRF_HEADER] === undefined) {
    return `a signed-in change needs a JSON body (content-type: application/json) or the ${CSRF_HEADER} header`;
  }
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") {
    return "a signed-in change must come from this site's own pages";
  }
  const origin = request.headers.origin;
  if (typeof origin === "string" && !sameOrigin(origin, request.headers.host)) {
    return "a signed-in change must come from this site's own pages";
  }
  return null;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    // Behind a TLS-terminating proxy the Host has no port while Origin is https: compare host
    // names, and ports with each side's default taken from the Origin's scheme.
    const o = new URL(origin);
    const h = new URL(`${o.protocol}//${host}`);
    const port = (u: URL) => u.port || (u.protocol === "https:" ? "443" : "80");
    return o.hostname === h.hostname && port(o) === port(h);
  } catch {
    return false; // "null" (sandboxed frames, file:) and anything unparsable
  }
}
