/**
 * The `keys` settings (issue 16): previous master keys kept while `assent keys rotate-master`
 * re-wraps data keys, and the Ed25519 signing key when it does not live in the data directory.
 * Kept apart from config.ts so the two can change independently.
 */
export interface KeySettings {
  /** Base64 master keys that may still wrap some data keys (a rotation not yet finished). */
  readonly previousMasterKeys: readonly string[];
  /** Base64 PKCS#8 DER of an Ed25519 private key; null: the key file in the data directory. */
  readonly signingKey: string | null;
  /** Base64url raw Ed25519 public keys of retired signing keys, still trusted to verify. */
  readonly signingPublicKeys: readonly string[];
}

export const KEYS_ENV = {
  previousMasterKeys: "ASSENT_PREVIOUS_MASTER_KEYS",
  signingKey: "ASSENT_SIGNING_KEY",
  signingPublicKeys: "ASSENT_SIGNING_PUBLIC_KEYS",
} as const;

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The environment's key settings, merged over the file's `keys` object. */
export function keysFromEnv(env: NodeJS.ProcessEnv, fromFile: unknown): Record<string, unknown> {
  const out: Record<string, unknown> =
    typeof fromFile === "object" && fromFile !== null && !Array.isArray(fromFile) ? { ...fromFile } : {};
  const prev = env[KEYS_ENV.previousMasterKeys];
  if (prev) out.previousMasterKeys = list(prev);
  const signing = env[KEYS_ENV.signingKey];
  if (signing) out.signingKey = signing;
  const pubs = env[KEYS_ENV.signingPublicKeys];
  if (pubs) out.signingPublicKeys = list(pubs);
  return out;
}

const isBase64Of = (s: unknown, bytes: number) =>
  typeof s === "string" && s.length <= 200 && Buffer.from(s, "base64").length === bytes;

export function parseKeySettings(raw: unknown, problems: string[]): KeySettings {
  const k =
    typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  for (const name of Object.keys(k)) {
    if (!["previousMasterKeys", "signingKey", "signingPublicKeys"].includes(name))
      problems.push(`unknown setting "keys.${name}"`);
  }
  const strings = (name: string, v: unknown, ok: (s: unknown) => boolean, what: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > 16 || !v.every(ok)) {
      problems.push(`keys.${name} must be a list of at most 16 ${what}`);
      return [];
    }
    return v as string[];
  };
  let signingKey: string | null = null;
  if (k.signingKey !== undefined && k.signingKey !== null) {
    if (typeof k.signingKey !== "string" || k.signingKey.length > 200 || k.signingKey.length < 40)
      problems.push(
        "keys.signingKey (ASSENT_SIGNING_KEY) must be base64 PKCS#8 DER of an Ed25519 private key",
      );
    else signingKey = k.signingKey;
  }
  return Object.freeze({
    previousMasterKeys: Object.freeze(
      strings("previousMasterKeys", k.previousMasterKeys, (s) => isBase64Of(s, 32), "base64 32-byte keys"),
    ),
    signingKey,
    signingPublicKeys: Object.freeze(
      strings(
        "signingPublicKeys",
        k.signingPublicKeys,
        (s) => typeof s === "string" && Buffer.from(s, "base64url").length === 32,
        "base64url 32-byte Ed25519 public keys",
      ),
    ),
  });
}
