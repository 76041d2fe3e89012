import { createHmac, timingSafeEqual } from "node:crypto";

/** `Assent-Signature`: `sha256=` and the hex HMAC-SHA256 of the exact body bytes with the hook's secret. */
export const SIGNATURE_HEADER = "assent-signature";

export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** What a receiver does (documented in docs/evidence.md); used by the tests. */
export function verifyBody(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
