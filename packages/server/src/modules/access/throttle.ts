import { type Kysely, sql } from "kysely";
import { MINUTE_MS } from "../../clock.js";
import type { AccessConfig } from "../../config.js";
import { AppError } from "../../errors.js";
import { sha256Hex } from "../../ids.js";
import type { ControlDb } from "../../stores/control-schema.js";
import { type Dialect, forUpdate } from "../../stores/store.js";

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

export interface Reservation {
  /** The keys this attempt locked by taking their last slot. */
  readonly locked: readonly string[];
}

export const throttleRepo = {
  /**
   * Takes one attempt slot from each key, atomically and before any password is checked, so that
   * concurrent guesses cannot all pass a check made before the first of them is counted. Throws
   * 429 when a key is locked (nothing is counted then). The slot counts as a failure unless
   * `refund` gives it back after a successful sign-in. A key reaching its maximum within the
   * window is locked for the lock time: later attempts are refused without a password check.
   */
  async reserve(
    db: Kysely<ControlDb>,
    dialect: Dialect,
    keys: readonly ThrottleKey[],
    settings: ThrottleSettings,
    now: number,
  ): Promise<Reservation> {
    const windowMs = settings.signInLockMinutes * MINUTE_MS;
    return db.transaction().execute(async (trx) => {
      const rows = [];
      // Keys in a fixed order (account, then address), so two attempts never lock in opposite orders.
      for (const { key, max } of keys) {
        await trx
          .insertInto("sign_in_throttle")
          .values({ key, failures: 0, window_start: now, locked_until: null })
          .onConflict((oc) => oc.column("key").doNothing())
          .execute();
        const row = await forUpdate(
          dialect,
          trx.selectFrom("sign_in_throttle").selectAll().where("key", "=", key),
        ).executeTakeFirstOrThrow();
        const until = row.locked_until === null ? null : row.locked_until;
        if (until !== null && until > now) throw tooManySignIns(until - now);
        rows.push({ key, max, row });
      }
      const locked: string[] = [];
      for (const { key, max, row } of rows) {
        const fresh = now - row.window_start >= windowMs;
        const failures = (fresh ? 0 : Number(row.failures)) + 1;
        const lockNow = failures >= max;
        await trx
          .updateTable("sign_in_throttle")
          .set({
            failures: lockNow ? 0 : failures,
            window_start: fresh || lockNow ? now : row.window_start,
            locked_until: lockNow ? now + windowMs : null,
          })
          .where("key", "=", key)
          .execute();
        if (lockNow) locked.push(key);
      }
      return { locked };
    });
  },

  /**
   * A successful sign-in gives its slots back: a lock this attempt set is lifted, otherwise one
   * failure is taken off. The account's count is cleared too unless another attempt locked it
   * meanwhile (not the address's: one good password must not reset an address that is guessing
   * at other accounts).
   */
  async refund(
    db: Kysely<ControlDb>,
    keys: readonly ThrottleKey[],
    reservation: Reservation,
    accountKeyName: string,
    now: number,
  ): Promise<void> {
    for (const { key, max } of keys) {
      const mine = reservation.locked.includes(key);
      if (mine) {
        const failures = key === accountKeyName ? 0 : Math.max(0, max - 1);
        await db
          .updateTable("sign_in_throttle")
          .set({ failures, locked_until: null })
          .where("key", "=", key)
          .execute();
        continue;
      }
      const notLocked = db
        .updateTable("sign_in_throttle")
        .where("key", "=", key)
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]));
      if (key === accountKeyName) await notLocked.set({ failures: 0 }).execute();
      else
        await notLocked
          .set({ failures: sql<number>`case when failures > 0 then failures - 1 else 0 end` })
          .execute();
    }
  },
};
