import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";

/**
 * Ajv coerces `?limit=1e309` (and a JSON `1e309`) to Infinity and then skips minimum/maximum for
 * non-finite numbers, so an "integer between 1 and 500" lets ±Infinity through to the store. After
 * validation, every number in the query, the path parameters and a JSON body must be finite.
 * Ingestion bodies (/v1/…) are content, checked item by item by their own validation.
 */
export function installFiniteNumbers(app: FastifyInstance): void {
  app.addHook("preHandler", async (request) => {
    const where = nonFinite(request.query, "query") ?? nonFinite(request.params, "path");
    if (where) throw invalidNumber(where);
    if (!request.url.startsWith("/v1/")) {
      const inBody = nonFinite(request.body, "body");
      if (inBody) throw invalidNumber(inBody);
    }
  });
}

const invalidNumber = (where: string) =>
  new AppError(400, "invalid_request", `${where} must be a finite number within its bounds`);

/** The path of the first non-finite number in `value` (iterative, bounded by the body limit). */
function nonFinite(value: unknown, root: string): string | null {
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: root }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { v, path } = top;
    if (typeof v === "number" && !Number.isFinite(v)) return path;
    if (typeof v !== "object" || v === null || Buffer.isBuffer(v)) continue;
    for (const [k, child] of Object.entries(v)) {
      if (typeof child === "number" || (typeof child === "object" && child !== null)) {
        stack.push({ v: child, path: `${path}.${k.length > 40 ? `${k.slice(0, 40)}…` : k}` });
      }
    }
  }
  return null;
}
