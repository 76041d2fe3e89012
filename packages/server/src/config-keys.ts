/**
 * The `keys` settings (issue 16): previous master keys kept while `assent keys rotate-master`
 * re-wraps data keys, and the Ed25519 signing key when it does not live in the data directory.
 * The schema is in config.ts; what it cannot say (decoded lengths) is checked here.
 */
export interface KeySettings {
  /** Base64 master keys that may still wrap some data keys (a rotation not yet finished). */
  readonly previousMasterKeys: readonly string[];
  /** Base64 PKCS#8 DER of an Ed25519 private key; null: the key file in the data directory. */
  readonly signingKey: string | null;
  /** Base64url raw Ed25519 public keys of retired signing keys, still trusted to verify. */
  readonly signingPublicKeys: readonly string[];
}

export function keyProblems(keys: unknown): string[] {
  const k = (typeof keys === "object" && keys !== null ? keys : {}) as Partial<
    Record<keyof KeySettings, unknown>
  >;
  const problems: string[] = [];
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  if (list(k.previousMasterKeys).some((x) => Buffer.from(String(x), "base64").length !== 32))
    problems.push(
      "keys.previousMasterKeys (ASSENT_PREVIOUS_MASTER_KEYS) must each be base64 of exactly 32 bytes",
    );
  if (list(k.signingPublicKeys).some((x) => Buffer.from(String(x), "base64url").length !== 32))
    problems.push(
      "keys.signingPublicKeys (ASSENT_SIGNING_PUBLIC_KEYS) must each be base64url of a 32-byte Ed25519 public key",
    );
  return problems;
}
