/**
 * JSON with object keys sorted at every level and undefined members left out: the same record
 * always serialises (and so hashes and signs) the same, whoever re-serialises it.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The signed part of a record or receipt: everything but its `jws`. */
export function payloadOf<T extends object>(signed: T): Omit<T, "jws"> {
  const { jws: _jws, ...rest } = signed as T & { jws?: unknown };
  return rest;
}

/** sha256 (hex) of a text, with WebCrypto: the same in Node.js 20 and in browsers. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The chain hash of a consent record: sha256 of its canonical payload (without `jws`). */
export const recordHash = (record: object): Promise<string> => sha256Hex(canonicalJson(payloadOf(record)));
