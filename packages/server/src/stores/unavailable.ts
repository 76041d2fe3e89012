import { AppError } from "../errors.js";

/** PostgreSQL SQLSTATE classes and codes that mean "try again later", not "this is wrong". */
const PG_TRANSIENT = [/^08/, /^53/, /^57P0[123]$/, /^40001$/, /^40P01$/];
const NODE_NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
const SQLITE_BUSY = new Set(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT", "SQLITE_LOCKED"]);

/**
 * Whether a failure is the store being busy or out of reach (locked SQLite file, PostgreSQL
 * down, restarting, out of connections, serialization conflict) rather than a bug: such an
 * export is answered 503 with Retry-After, which OTLP exporters retry.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SQLITE_BUSY.has(code) || NODE_NETWORK.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && PG_TRANSIENT.some((re) => re.test(code))) return true;
  }
  const message = err instanceof Error ? err.message : "";
  // pg reports a lost connection and a pool wait timeout without a code.
  return /Connection terminated|timeout exceeded when trying to connect/.test(message);
}

export const storeUnavailable = () =>
  new AppError(
    503,
    "store_unavailable",
    "the store is busy or out of reach; retry after Retry-After seconds",
    {
      "retry-after": "1",
    },
  );
