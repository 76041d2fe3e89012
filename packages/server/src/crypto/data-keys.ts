import { randomBytes } from "node:crypto";
import { open, seal } from "./aead.js";

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
  /** A fresh data key and its wrapped form. */
  create(ref: DataKeyRef): { key: Buffer; wrapped: Buffer };
  /** The data key for a wrapped key read from a store; cached by key id. */
  unwrap(ref: DataKeyRef, wrapped: Buffer): Buffer;
  /** Drops cached plaintext keys after they are destroyed in the store. */
  forget(keyIds: Iterable<string>): void;
}

const wrapAad = (ref: DataKeyRef) => `assent:data-key:${ref.id}:${ref.tenantId}:${ref.periodId}:${ref.day}`;

export function createKeyWrapper(masterKey: Buffer, cacheSize = 4096): KeyWrapper {
  const cache = new Map<string, Buffer>();
  const remember = (id: string, key: Buffer) => {
    if (cache.size >= cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(id, key);
  };
  return {
    create(ref) {
      const key = randomBytes(32);
      const wrapped = seal(masterKey, key, wrapAad(ref));
      remember(ref.id, key);
      return { key, wrapped };
    },
    unwrap(ref, wrapped) {
      const hit = cache.get(ref.id);
      if (hit) return hit;
      const key = open(masterKey, wrapped, wrapAad(ref));
      remember(ref.id, key);
      return key;
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
