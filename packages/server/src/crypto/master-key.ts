import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ensurePrivateDir, restrictFile, writePrivateFileAtomic } from "../private-files.js";

export const MASTER_KEY_FILE = "master.key";

/** A master key and its id: the id is derived from the key, so it names the key without revealing it. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * The master key that wraps new data keys (`current`) and the ones that may still wrap some
 * (`previous`, while `assent keys rotate-master` has not finished). `file` is the key file of the
 * embedded default, null when the keys come from configuration.
 */
export interface MasterKeyring {
  readonly current: MasterKey;
  readonly previous: readonly MasterKey[];
  readonly file: string | null;
}

export const masterKeyId = (key: Buffer) =>
  `mk_${createHash("sha256").update("assent:master-key-id:").update(key).digest("hex").slice(0, 16)}`;

function masterKey(b64: string, where: string): MasterKey {
  const key = Buffer.from(b64.trim(), "base64");
  if (key.length !== 32) throw new Error(`${where} must hold base64 of exactly 32 bytes`);
  return { id: masterKeyId(key), key };
}

/** The key file holds one base64 key per line: the current key first, then previous ones. */
function readKeyFile(file: string): MasterKey[] {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) throw new Error(`${file} holds no master key`);
  return lines.map((l) => masterKey(l, file));
}

const writeKeyFile = (file: string, keys: readonly MasterKey[]) =>
  writePrivateFileAtomic(file, `${keys.map((k) => k.key.toString("base64")).join("\n")}\n`);

/**
 * The keyring from configuration when a master key is given; otherwise the embedded default's
 * key file in the data directory, created once (directory 0700, file 0600).
 */
export function loadMasterKeyring(
  configured: string | null,
  previous: readonly string[],
  dataDir: string,
): MasterKeyring {
  if (configured) {
    return {
      current: masterKey(configured, "masterKey"),
      previous: previous.map((p, i) => masterKey(p, `keys.previousMasterKeys[${i}]`)),
      file: null,
    };
  }
  const file = path.join(dataDir, MASTER_KEY_FILE);
  ensurePrivateDir(dataDir);
  if (!existsSync(file)) writeKeyFile(file, [{ id: "", key: randomBytes(32) }]);
  restrictFile(file);
  const [current, ...rest] = readKeyFile(file);
  return { current: current as MasterKey, previous: rest, file };
}

/** The current master key alone (tests and tools that only seal new keys). */
export function loadMasterKey(configured: string | null, dataDir: string): Buffer {
  return loadMasterKeyring(configured, [], dataDir).current.key;
}

/**
 * Step one of a rotation in the embedded default: a new current key, the old ones kept as
 * previous. Idempotent across crashes: when the file already holds previous keys, the rotation
 * in progress is resumed with its current key rather than a new one.
 */
export function beginMasterRotation(ring: MasterKeyring): MasterKeyring {
  if (!ring.file || ring.previous.length > 0) return ring;
  const fresh = randomBytes(32);
  const next: MasterKeyring = {
    current: { id: masterKeyId(fresh), key: fresh },
    previous: [ring.current],
    file: ring.file,
  };
  writeKeyFile(ring.file, [next.current, ...next.previous]);
  return next;
}

/** Last step, once no data key is wrapped by a previous key: the file keeps the current key only. */
export function finishMasterRotation(ring: MasterKeyring): MasterKeyring {
  if (!ring.file || ring.previous.length === 0) return ring;
  writeKeyFile(ring.file, [ring.current]);
  return { ...ring, previous: [] };
}
