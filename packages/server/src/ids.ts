import { createHash, randomBytes } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/** Time-ordered ids, so inserts append to indexes. */
export function newId(): string {
  return uuidv7();
}

/** A random secret token, URL-safe. */
export function newSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}

export function sha256Hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}
