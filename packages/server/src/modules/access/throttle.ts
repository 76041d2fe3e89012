import type { Kysely } from "kysely";
import { MINUTE_MS } from "../../clock.js";
import type { AccessConfig } from "../../config.js";
import { AppError } from "../../errors.js";
import { sha256Hex } from "../../ids.js";
import type { ControlDb } from "../../stores/control-schema.js";
import { type Dialect, forUpdate, toNumber } from "../../stores/store.js";

/**
 * Throttling of failed sign-ins, per account and per client address. Counts live in the control
 * store so every process behind a load balancer sees the same lock. Keys are hashes: the store
 * never holds a raw address or an unknown email someone typed.
 */
export type ThrottleSettings = Pick<
  AccessConfig,
  "signInMaxFailuresPerAccount" | "signInMaxFailuresPerAddress" | "signInLockMinutes"
>;

export interface ThrottleKey {
  readonly key: string;
  readonly max: number;
}

export const accountKey = (email: string) => `account:${sha256Hex(email)}`;
export const addressKey = (address: string) => `address:${sha256Hex(address)}`;

export function throttleKeys(
  settings: ThrottleSettings,
  email: string,
  address: string | null,
): ThrottleKey[] {
  const keys = [{ key: accountKey(email), max: settings.signInMaxFailuresPerAccount }];
  if (address) keys.push({ key: addressKey(address), max: settings.signInMaxFailuresPerAddress });
  return keys;
}

export function tooManySignIns(retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    429,
    "sign_in_locked",
    `too many failed sign-ins for this account or address; try again in ${seconds} seconds`,
    { "retry-after": String(seconds) },
  );
}

export const throttleRepo = {
  /** The latest lock among the keys still in force at `now`, or null. */
  async lockedUntil(db: Kysely<ControlDb>, keys: readonly string[], now: number): Promise<number | null> {
    const rows = await db
      .selectFrom("sign_in_throttle")
      .select("locked_until")
      .where("key", "in", [...keys])
      .where("locked_until", ">", now)
      .execute();
    const until = rows.map((r) => toNumber(r.locked_until));
    return until.length ? Math.max(...until) : null;
  },

  /**
   * Counts one failure against each key inside the caller's transaction. A key reaching its
   * maximum within the window is locked for the lock time. Returns the keys that became locked.
   */
  async recordFailure(
    db: Kysely<ControlDb>,
    dialect: Dialect,
    keys: readonly ThrottleKey[],
    settings: ThrottleSettings,
    now: number,
  ): Promise<string[]> {
    const windowMs = settings.signInLockMinutes * MINUTE_MS;
    const locked: string[] = [];
    for (const { key, max } of keys) {
      await db
        .insertInto("sign_in_throttle")
        .values({ key, failures: 0, window_start: now, locked_until: null })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const row = await forUpdate(
        dialect,
        db.selectFrom("sign_in_throttle").selectAll().where("key", "=", key),
      ).executeTakeFirstOrThrow();
      const fresh = now - toNumber(row.window_start) >= windowMs;
      const failures = (fresh ? 0 : Number(row.failures)) + 1;
      const lockNow = failures >= max;
      await db
        .updateTable("sign_in_throttle")
        .set({
          failures: lockNow ? 0 : failures,
          window_start: fresh || lockNow ? now : toNumber(row.window_start),
          locked_until: lockNow ? now + windowMs : row.locked_until,
        })
        .where("key", "=", key)
        .execute();
      if (lockNow) locked.push(key);
    }
    return locked;
  },

  /** A successful sign-in clears its account's count (not the address's: one good password must
   * not reset an address that is guessing at other accounts). */
  async clear(db: Kysely<ControlDb>, key: string): Promise<void> {
    await db.deleteFrom("sign_in_throttle").where("key", "=", key).execute();
  },
};
