import { canonicalJson } from "@assent/sdk/evidence";
import type { SigningKeys } from "../../crypto/signing-keys.js";

/** What signs evidence: the deployment's current Ed25519 key (crypto/signing-keys.ts). */
export type EvidenceSigner = Pick<SigningKeys, "signJws">;

/**
 * Adds `jws` to a record or receipt of any kind: a compact JWS (EdDSA, kid) whose payload is the
 * canonical JSON of the body itself, so a verifier compares the two without trusting either.
 */
export async function signEvidence<T extends object>(
  signer: EvidenceSigner,
  body: T,
): Promise<T & { jws: string }> {
  const { jws: _old, ...payload } = body as T & { jws?: string };
  return { ...(payload as T), jws: await signer.signJws(canonicalJson(payload)) };
}
