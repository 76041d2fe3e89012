import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const MASTER_KEY_FILE = "master.key";

/**
 * The key that wraps every data key. From configuration when given; otherwise the embedded
 * default keeps it in the data directory, created once with mode 0600.
 */
export function loadMasterKey(configured: string | null, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, "base64");
  const file = path.join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} must hold base64 of exactly 32 bytes`);
  return key;
}
