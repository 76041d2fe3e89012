import { randomBytes } from "node:crypto";
import { open, seal } from "./aead.js";
import { type MasterKey, type MasterKeyring, masterKeyId } from "./master-key.js";

/**
 * Envelope encryption: content is sealed with a data key per tenant, sharing period and day;
 * data keys are stored only wrapped by the master key. Destroying a wrapped key (and every
 * copy of it) makes all content sealed under it unreadable.
 */
export interface DataKeyRef {
  readonly id: string;
  readonly tenantId: string;
  readonly periodId: string;
  readonly day: number;
}

export interface KeyWrapper {
  /** A fresh data key, its wrapped form and the id of the master key that wrapped it. */
  create(ref: DataKeyRef): { key: Buffer; wrapped: Buffer; masterKeyId: string };
  /** The data key for a wrapped key read from a store; cached by key id. */
  unwrap(ref: DataKeyRef, wrapped: Buffer): Buffer;
  /** The same data key wrapped by the current master key (key rotation); content is untouched. */
  rewrap(ref: DataKeyRef, wrapped: Buffer): { wrapped: Buffer; masterKeyId: string };
  /** Drops cached plaintext keys after they are destroyed in the store. */
  forget(keyIds: Iterable<string>): void;
  /** The id of the master key new data keys are wrapped by. */
  readonly currentMasterKeyId: string;
}

const wrapAad = (ref: DataKeyRef) => `assent:data-key:${ref.id}:${ref.tenantId}:${ref.periodId}:${ref.day}`;

export interface KeyWrapperOptions {
  readonly cacheSize?: number;
  /**
   * Re-reads the keyring when a wrapped key opens under none of the known master keys: another
   * process may have started a rotation (embedded default) since this one loaded its keys.
   */
  readonly reload?: () => MasterKeyring;
}

export function createKeyWrapper(master: Buffer | MasterKeyring, opts: KeyWrapperOptions = {}): KeyWrapper {
  let ring: MasterKeyring = Buffer.isBuffer(master)
    ? { current: { id: masterKeyId(master), key: master }, previous: [], file: null }
    : master;
  const cacheSize = opts.cacheSize ?? 4096;
  const cache = new Map<string, Buffer>();
  const remember = (id: string, key: Buffer) => {
    if (cacheSize === 0) return;
    if (cache.size >= cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(id, key);
  };
  const tryOpen = (keys: readonly MasterKey[], ref: DataKeyRef, wrapped: Buffer): Buffer | null => {
    for (const k of keys) {
      try {
        return open(k.key, wrapped, wrapAad(ref));
      } catch {
        // Not this master key (the tag does not verify): try the next one.
      }
    }
    return null;
  };
  const openAny = (ref: DataKeyRef, wrapped: Buffer): Buffer => {
    const key = tryOpen([ring.current, ...ring.previous], ref, wrapped);
    if (key) return key;
    if (opts.reload) {
      ring = opts.reload();
      const again = tryOpen([ring.current, ...ring.previous], ref, wrapped);
      if (again) return again;
    }
    throw new Error(`data key ${ref.id} opens under none of the known master keys`);
  };
  return {
    get currentMasterKeyId() {
      return ring.current.id;
    },
    create(ref) {
      // A rotation begun by another process since we loaded the keys must not get new data keys
      // wrapped by the key it is retiring: re-read the (small) key file first. Once per tenant-day.
      if (opts.reload) ring = opts.reload();
      const key = randomBytes(32);
      const wrapped = seal(ring.current.key, key, wrapAad(ref));
      remember(ref.id, key);
      return { key, wrapped, masterKeyId: ring.current.id };
    },
    unwrap(ref, wrapped) {
      const hit = cache.get(ref.id);
      if (hit) return hit;
      const key = openAny(ref, wrapped);
      remember(ref.id, key);
      return key;
    },
    rewrap(ref, wrapped) {
      const key = openAny(ref, wrapped);
      try {
        return { wrapped: seal(ring.current.key, key, wrapAad(ref)), masterKeyId: ring.current.id };
      } finally {
        key.fill(0);
      }
    },
    forget(keyIds) {
      for (const id of keyIds) {
        const key = cache.get(id);
        if (key) key.fill(0);
        cache.delete(id);
      }
    },
  };
}
