import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { badRequest, notFound } from "../../errors.js";
import { newId, newSecret, sha256Hex } from "../../ids.js";
import { announce } from "../../stores/change-signals.js";
import type { ControlDb } from "../../stores/control-schema.js";
import { type Store, writeJson } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import { type ServiceKeyRow, serviceKeysRepo } from "./repo.js";

/** Service keys start with this, tenant keys with `ask_`: auth tells them apart without a lookup. */
export const SERVICE_KEY_PREFIX = "assk_";

/** Who a service key lets capture for: every tenant whose home region is in `regions`. */
export interface ServiceKeyIdentity {
  readonly keyId: string;
  readonly name: string;
  /** The configured regions the key covers (all of them when it was made without a list). */
  readonly regions: readonly string[];
}

export interface ServiceKeysService {
  /** Issues a key; the secret is returned here once and stored only as a hash. */
  create(
    input: { name: string; regions?: readonly string[] },
    actor: Actor,
  ): Promise<{ key: string; id: string; prefix: string }>;
  list(): Promise<ServiceKeyRow[]>;
  revoke(id: string, actor: Actor): Promise<ServiceKeyRow>;
  authenticate(secret: string): Promise<ServiceKeyIdentity | null>;
  /** Of the given key ids, the ones still live: one query, for every open stream at once. */
  liveIds(ids: readonly string[]): Promise<Set<string>>;
}

export interface ServiceKeysDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
  readonly regions: () => readonly string[];
}

export function createServiceKeysService(deps: ServiceKeysDeps): ServiceKeysService {
  const { control } = deps;
  const covered = (regions: readonly string[] | null): string[] =>
    regions === null ? [...deps.regions()] : deps.regions().filter((r) => regions.includes(r));

  return {
    async create(input, actor) {
      const name = input.name.trim();
      if (!name || name.length > 100)
        throw badRequest("invalid_name", "service key name must be 1-100 characters");
      let regions: string[] | null = null;
      if (input.regions !== undefined) {
        regions = [...new Set(input.regions)];
        const configured = deps.regions();
        const unknown = regions.filter((r) => !configured.includes(r));
        if (regions.length === 0 || unknown.length > 0) {
          throw badRequest(
            "unknown_region",
            `regions must be configured regions (configured: ${configured.join(", ")})`,
          );
        }
      }
      const key = newSecret(SERVICE_KEY_PREFIX);
      const id = newId();
      const prefix = key.slice(0, SERVICE_KEY_PREFIX.length + 6);
      const now = deps.clock.now();
      await control.db.transaction().execute(async (trx) => {
        await serviceKeysRepo.insert(trx, {
          id,
          name,
          key_hash: sha256Hex(key),
          prefix,
          regions: regions === null ? null : writeJson(regions),
          created_at: now,
          created_by: actor.id,
          revoked_at: null,
          revoked_by: null,
        });
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "service-key.create",
          targetType: "service-key",
          targetId: id,
          details: { regions: regions ?? ["*"] },
        });
      });
      return { key, id, prefix };
    },

    list: () => serviceKeysRepo.list(control.db),

    async revoke(id, actor) {
      const now = deps.clock.now();
      return control.db.transaction().execute(async (trx) => {
        const key = await serviceKeysRepo.find(trx, id);
        if (!key) throw notFound(`service key ${id}`);
        if (!(await serviceKeysRepo.revoke(trx, id, now, actor.id))) return key;
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "service-key.revoke",
          targetType: "service-key",
          targetId: id,
        });
        await announce(trx, control, { kind: "keys" });
        return { ...key, revokedAt: now };
      });
    },

    async authenticate(secret) {
      if (!secret.startsWith(SERVICE_KEY_PREFIX) || secret.length > 128) return null;
      const row = await serviceKeysRepo.findActiveByHash(control.db, sha256Hex(secret));
      return row ? { keyId: row.id, name: row.name, regions: covered(row.regions) } : null;
    },

    liveIds: (ids) => serviceKeysRepo.liveIds(control.db, ids),
  };
}
