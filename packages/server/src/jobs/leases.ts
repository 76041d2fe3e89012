import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import type { ControlDb } from "../stores/control-schema.js";
import type { Store } from "../stores/store.js";

/**
 * A lease per job in the control store (`job_leases`): whoever holds an unexpired lease runs the
 * job; everyone else skips it. Taking a lease is one atomic upsert, so two processes asking at
 * once cannot both win. A holder that dies simply lets its lease expire.
 */
export interface Leases {
  /**
   * Takes the lease when it is free, expired, already ours, or held by a process on this machine
   * that has died.
   */
  acquire(name: string, ttlMs: number): Promise<boolean>;
  /** Extends our lease; false when it is no longer ours (expired and taken by another). */
  renew(name: string, ttlMs: number): Promise<boolean>;
  release(name: string): Promise<void>;
  /** Who holds the lease and until when (null when nobody holds a live one). */
  holder(name: string): Promise<{ holder: string; expiresAt: number } | null>;
  /** This process's holder id. */
  readonly self: string;
}

/**
 * A job's lease lasts this long unless renewed. Short, so a runner that dies (SIGKILL, lost
 * machine) hands its job over within half a minute; a live runner renews it by heartbeat every
 * third of this (see scheduler.ts), and after every batch.
 */
export const JOB_LEASE_MS = 30_000;

/** Unique per Services instance, so two in one process compete like two processes. */
export const newHolderId = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * Whether a holder id names a process on this machine that no longer exists: its lease may be
 * taken at once instead of waiting for it to expire. Holders on other machines (or with ids of
 * another form) are presumed alive until their lease expires.
 */
export function holderIsDeadHere(holder: string): boolean {
  const [host, pidText] = holder.split(":");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function createLeases(deps: {
  readonly control: Pick<Store<ControlDb>, "db">;
  readonly clock: Clock;
  readonly holderId: string;
}): Leases {
  const { db } = deps.control;
  const self = deps.holderId;
  return {
    self,
    async acquire(name, ttlMs) {
      const now = deps.clock.now();
      const row = await db
        .insertInto("job_leases")
        .values({ name, holder: self, expires_at: now + ttlMs })
        .onConflict((oc) =>
          oc
            .column("name")
            .doUpdateSet({ holder: self, expires_at: now + ttlMs })
            .where((eb) =>
              eb.or([eb("job_leases.expires_at", "<=", now), eb("job_leases.holder", "=", self)]),
            ),
        )
        .returning("holder")
        .executeTakeFirst();
      if (row?.holder === self) return true;
      const current = await db
        .selectFrom("job_leases")
        .selectAll()
        .where("name", "=", name)
        .executeTakeFirst();
      if (!current || !holderIsDeadHere(current.holder)) return false;
      // Take over from the dead holder, only if nobody else did first.
      const res = await db
        .updateTable("job_leases")
        .set({ holder: self, expires_at: now + ttlMs })
        .where("name", "=", name)
        .where("holder", "=", current.holder)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async renew(name, ttlMs) {
      const now = deps.clock.now();
      const res = await db
        .updateTable("job_leases")
        .set({ expires_at: now + ttlMs })
        .where("name", "=", name)
        .where("holder", "=", self)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async release(name) {
      await db.deleteFrom("job_leases").where("name", "=", name).where("holder", "=", self).execute();
    },
    async holder(name) {
      const row = await db.selectFrom("job_leases").selectAll().where("name", "=", name).executeTakeFirst();
      if (!row || Number(row.expires_at) <= deps.clock.now()) return null;
      return { holder: row.holder, expiresAt: Number(row.expires_at) };
    },
  };
}
