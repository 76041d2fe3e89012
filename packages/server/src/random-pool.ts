import { randomFillSync } from "node:crypto";

/**
 * Cryptographically random bytes served from a refilled pool: one system call per 64 KiB
 * instead of one per nonce or id, which is most of the cost on the capture path. Bytes are
 * handed out once and never reused.
 */
const POOL_BYTES = 64 * 1024;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

export function randomBytesFromPool(n: number): Buffer {
  if (n > POOL_BYTES) throw new RangeError("request larger than the random pool");
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, offset, offset + n);
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
