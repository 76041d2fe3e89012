import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CompactSign } from "jose";
import type { KeySettings } from "../config-keys.js";
import { ensurePrivateDir, restrictFile, writePrivateFileAtomic } from "../private-files.js";

/**
 * The deployment's Ed25519 signing keys: they sign what must be provable without trusting the
 * database (audit head checkpoints today; consent records and deletion receipts next, issue 14).
 * The private key is never in a store: the embedded default keeps it beside the master key in the
 * data directory (`signing-keys.json`, 0600); otherwise it comes from configuration
 * (ASSENT_SIGNING_KEY). Rotation keeps the public halves of retired keys, so what they signed
 * still verifies, and `jwks()` publishes them all (the future `/.well-known/assent-keys.json`).
 */
export const SIGNING_KEY_FILE = "signing-keys.json";

/** A public key as a JSON Web Key (RFC 8037), named by its RFC 7638 thumbprint. */
export interface SigningJwk {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
  readonly kid: string;
  readonly use: "sig";
  readonly alg: "EdDSA";
}

export interface Signature {
  readonly kid: string;
  /** Base64url Ed25519 signature. */
  readonly signature: string;
}

export interface SigningKeys {
  /** The key id new signatures are made with. */
  readonly currentKid: string;
  sign(payload: string | Buffer): Signature;
  /** A compact JWS (`EdDSA`, header `kid`) of `payload` with the current key (jose). */
  signJws(payload: string): Promise<string>;
  /** False for a bad signature or a key id this deployment never had. */
  verify(kid: string, payload: string | Buffer, signature: string): boolean;
  /** Every public key, current first, as a JWK Set. */
  jwks(): { readonly keys: readonly SigningJwk[] };
}

interface StoredKey {
  readonly kid: string;
  readonly createdAt: string;
  /** Base64url raw public key (the JWK `x`). */
  readonly x: string;
  /** Base64 PKCS#8 DER; absent once the key is retired. */
  readonly privateKey?: string;
}

interface KeyFile {
  readonly current: string;
  readonly keys: readonly StoredKey[];
}

/** RFC 7638 thumbprint of an Ed25519 public key: a stable key id anyone can recompute. */
export function thumbprint(x: string): string {
  return createHash("sha256").update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest("base64url");
}

const publicX = (key: KeyObject) => (createPublicKey(key).export({ format: "jwk" }) as { x: string }).x;
const publicFromX = (x: string) => createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });

function newStoredKey(): StoredKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  const x = publicX(privateKey);
  return {
    kid: thumbprint(x),
    createdAt: new Date().toISOString(),
    x,
    privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
  };
}

function readKeyFile(file: string): KeyFile {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as KeyFile;
  if (!parsed.keys?.some((k) => k.kid === parsed.current && k.privateKey))
    throw new Error(`${file} has no private key for its current key id`);
  return parsed;
}

const writeKeyFile = (file: string, content: KeyFile) =>
  writePrivateFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);

function keysFrom(current: KeyObject, retiredX: readonly string[]): SigningKeys {
  const currentX = publicX(current);
  const currentKid = thumbprint(currentX);
  const publics = new Map<string, { x: string; key: KeyObject }>([
    [currentKid, { x: currentX, key: createPublicKey(current) }],
  ]);
  for (const x of retiredX)
    if (!publics.has(thumbprint(x))) publics.set(thumbprint(x), { x, key: publicFromX(x) });
  return {
    currentKid,
    sign: (payload) => ({
      kid: currentKid,
      signature: sign(null, Buffer.from(payload), current).toString("base64url"),
    }),
    signJws: (payload) =>
      new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: "EdDSA", kid: currentKid })
        .sign(current),
    verify(kid, payload, signature) {
      const pub = publics.get(kid);
      if (!pub) return false;
      try {
        return verify(null, Buffer.from(payload), pub.key, Buffer.from(signature, "base64url"));
      } catch {
        return false;
      }
    },
    jwks: () => ({
      keys: [...publics].map(([kid, { x }]) => ({
        kty: "OKP" as const,
        crv: "Ed25519" as const,
        x,
        kid,
        use: "sig" as const,
        alg: "EdDSA" as const,
      })),
    }),
  };
}

/**
 * The signing keys from configuration when a key is given; otherwise the key file in the data
 * directory, created on first use.
 */
export function loadSigningKeys(
  settings: Pick<KeySettings, "signingKey" | "signingPublicKeys">,
  dataDir: string,
): SigningKeys {
  if (settings.signingKey) {
    const key = createPrivateKey({
      key: Buffer.from(settings.signingKey, "base64"),
      format: "der",
      type: "pkcs8",
    });
    if (key.asymmetricKeyType !== "ed25519")
      throw new Error("keys.signingKey must be an Ed25519 private key");
    return keysFrom(key, settings.signingPublicKeys);
  }
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  ensurePrivateDir(dataDir);
  if (!existsSync(file)) {
    const first = newStoredKey();
    writeKeyFile(file, { current: first.kid, keys: [first] });
  }
  restrictFile(file);
  const content = readKeyFile(file);
  const current = content.keys.find((k) => k.kid === content.current) as StoredKey;
  const key = createPrivateKey({
    key: Buffer.from(current.privateKey as string, "base64"),
    format: "der",
    type: "pkcs8",
  });
  return keysFrom(key, [
    ...content.keys.filter((k) => k.kid !== current.kid).map((k) => k.x),
    ...settings.signingPublicKeys,
  ]);
}

/**
 * Embedded default: a new current signing key; the old one's private half is destroyed and its
 * public half kept, so everything it signed still verifies. Returns the new key id.
 */
export function rotateSigningKey(dataDir: string): string {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  const content = existsSync(file) ? readKeyFile(file) : { current: "", keys: [] };
  const next = newStoredKey();
  const retired = content.keys.map(({ privateKey: _drop, ...pub }) => pub);
  writeKeyFile(file, { current: next.kid, keys: [next, ...retired] });
  return next.kid;
}
