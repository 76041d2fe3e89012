import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import path from "node:path";

/**
 * The data directory and the files in it (stores, keys) are the deployment's secrets: created
 * 0700/0600 whatever the umask, so no other local user can read a key or a store.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the directory (and missing parents) with mode 0700; an existing one is left as it is. */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is filtered by the umask; 0700 has no bits a umask would add.
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Narrows an existing file to 0600 when group or others could read it (stores made by older versions). */
export function restrictFile(file: string): void {
  if (!existsSync(file)) return;
  if (statSync(file).mode & 0o077) chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Makes sure `file` exists with mode 0600 before a library opens it: SQLite then creates the
 * `-wal` and `-shm` files with the database file's mode.
 */
export function ensurePrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  restrictFile(file);
  restrictFile(`${file}-wal`);
  restrictFile(`${file}-shm`);
}

/**
 * Replaces `file` with `content` atomically (write a 0600 temporary file, fsync, rename): a crash
 * leaves either the old or the new content, never a half-written key file.
 */
export function writePrivateFileAtomic(file: string, content: string): void {
  ensurePrivateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", PRIVATE_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, file);
}
