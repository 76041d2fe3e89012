import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { AppError, badRequest, conflict, notFound } from "../../errors.js";
import { newId, newSecret, sha256Hex } from "../../ids.js";
import { announce } from "../../stores/change-signals.js";
import type { Stores } from "../../stores/open.js";
import { appendAudit } from "../audit/chain.js";
import type { IngestionKeyRow, TenantRow } from "./repo.js";
import { tenantsRepo } from "./repo.js";

export interface KeyIdentity {
  readonly keyId: string;
  readonly tenantId: string;
  readonly region: string;
  readonly externalId: string | null;
}

export interface TenantsService {
  createTenant(
    input: { name: string; region: string; id?: string; externalId?: string },
    actor: Actor,
  ): Promise<TenantRow>;
  getTenant(id: string): Promise<TenantRow>;
  findTenant(id: string): Promise<TenantRow | null>;
  /** The tenant a caller names by Assent's id or by the vendor's external id (id first). */
  findTenantByRef(ref: string): Promise<TenantRow | null>;
  listTenants(): Promise<TenantRow[]>;
  /** One page of tenants in id order, after the tenant `after` (null: from the start). */
  listTenantsPage(after: string | null, limit: number): Promise<TenantRow[]>;
  /**
   * Creates the tenant with this external id, or renames it; its region is fixed once set
   * (a different region is refused with 409). Idempotent: the same call twice changes nothing.
   */
  upsertTenantByExternalId(
    externalId: string,
    input: { name: string; region: string },
    actor: Actor,
  ): Promise<{ tenant: TenantRow; created: boolean }>;
  regions(): string[];
  /** Issues a key; the secret is returned here once and stored only as a hash. */
  createKey(
    tenantId: string,
    actor: Actor,
    label?: string,
  ): Promise<{ key: string; id: string; prefix: string }>;
  listKeys(tenantId: string): Promise<IngestionKeyRow[]>;
  revokeKey(keyId: string, actor: Actor): Promise<IngestionKeyRow>;
  authenticateKey(secret: string): Promise<KeyIdentity | null>;
  /** Of the given ingestion key ids, the ones still live: one query, for every open stream at once. */
  liveKeyIds(ids: readonly string[]): Promise<Set<string>>;
}

export interface TenantsDeps {
  readonly stores: Pick<Stores, "control" | "regions">;
  readonly clock: Clock;
  /** Called once a tenant exists, so its home region can hold its (off) sharing state. */
  readonly onTenantCreated: (tenant: TenantRow) => Promise<void>;
}

export const KEY_PREFIX = "ask_";
const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A vendor's external id: printable, no spaces, bounded (it appears in URLs and item fields). */
export const EXTERNAL_ID = /^[\x21-\x7e]{1,128}$/;

export function createTenantsService(deps: TenantsDeps): TenantsService {
  const { control } = deps.stores;
  const service: TenantsService = {
    regions: () => [...deps.stores.regions.keys()],

    async createTenant(input, actor) {
      const name = input.name.trim();
      if (!name || name.length > 200)
        throw badRequest("invalid_name", "tenant name must be 1-200 characters");
      if (!deps.stores.regions.has(input.region)) {
        throw badRequest(
          "unknown_region",
          `region "${input.region}" is not configured (configured: ${service.regions().join(", ")})`,
        );
      }
      const id = input.id ?? newId();
      if (!TENANT_ID.test(id)) {
        throw badRequest(
          "invalid_id",
          "tenant id must be 1-64 characters of a-z, 0-9, _ and -, starting alphanumeric",
        );
      }
      const externalId = input.externalId ?? null;
      if (externalId !== null && !EXTERNAL_ID.test(externalId)) {
        throw badRequest(
          "invalid_external_id",
          "external id must be 1-128 printable characters without spaces",
        );
      }
      const now = deps.clock.now();
      try {
        await control.db.transaction().execute(async (trx) => {
          if (await tenantsRepo.findTenant(trx, id))
            throw conflict("tenant_exists", `tenant ${id} already exists`);
          if (externalId !== null && (await tenantsRepo.findTenantByExternalId(trx, externalId))) {
            throw conflict("external_id_taken", "another tenant already has this external id");
          }
          await tenantsRepo.insertTenant(trx, {
            id,
            name,
            region: input.region,
            external_id: externalId,
            created_at: now,
            created_by: actor.id,
          });
          await appendAudit(trx, control.dialect, now, {
            actorId: actor.id,
            actorRole: actor.role,
            action: "tenant.create",
            tenantId: id,
            targetType: "tenant",
            targetId: id,
            details: { region: input.region },
          });
        });
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (/unique|duplicate/i.test((err as Error).message)) {
          throw conflict("tenant_exists", `tenant ${id} already exists`);
        }
        throw err;
      }
      const tenant = { id, name, region: input.region, externalId, createdAt: now };
      await deps.onTenantCreated(tenant);
      return tenant;
    },

    async getTenant(id) {
      const t = await tenantsRepo.findTenant(control.db, id);
      if (!t) throw notFound(`tenant ${id}`);
      return t;
    },
    findTenant: (id) => tenantsRepo.findTenant(control.db, id),
    async findTenantByRef(ref) {
      if (ref.length === 0 || ref.length > 128) return null;
      return (
        (await tenantsRepo.findTenant(control.db, ref)) ??
        (await tenantsRepo.findTenantByExternalId(control.db, ref))
      );
    },
    listTenants: () => tenantsRepo.listTenants(control.db),
    listTenantsPage: (after, limit) => tenantsRepo.listTenantsPage(control.db, after, limit),

    async upsertTenantByExternalId(externalId, input, actor) {
      if (!(await tenantsRepo.findTenantByExternalId(control.db, externalId))) {
        try {
          return { tenant: await service.createTenant({ ...input, externalId }, actor), created: true };
        } catch (err) {
          // A concurrent call created it first (the unique external id caught it): update instead.
          const raced = err instanceof AppError && /tenant_exists|external_id_taken/.test(err.code);
          if (!raced || !(await tenantsRepo.findTenantByExternalId(control.db, externalId))) throw err;
        }
      }
      const name = input.name.trim();
      if (!name || name.length > 200)
        throw badRequest("invalid_name", "tenant name must be 1-200 characters");
      return control.db.transaction().execute(async (trx) => {
        const found = await tenantsRepo.findTenantByExternalId(trx, externalId);
        if (!found) throw notFound(`tenant with external id ${externalId}`);
        if (found.region !== input.region) {
          throw conflict(
            "region_fixed",
            `tenant ${found.id} has home region ${found.region}; a tenant's region is fixed once set, so it cannot move to ${input.region}`,
          );
        }
        if (found.name === name) return { tenant: found, created: false };
        const now = deps.clock.now();
        await tenantsRepo.renameTenant(trx, found.id, name);
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "tenant.rename",
          tenantId: found.id,
          targetType: "tenant",
          targetId: found.id,
        });
        return { tenant: { ...found, name }, created: false };
      });
    },

    async createKey(tenantId, actor, label) {
      await service.getTenant(tenantId);
      const key = newSecret(KEY_PREFIX);
      const id = newId();
      const prefix = key.slice(0, KEY_PREFIX.length + 6);
      const now = deps.clock.now();
      await control.db.transaction().execute(async (trx) => {
        await tenantsRepo.insertKey(trx, {
          id,
          tenant_id: tenantId,
          key_hash: sha256Hex(key),
          prefix,
          label: label ?? null,
          created_at: now,
          created_by: actor.id,
          revoked_at: null,
          revoked_by: null,
        });
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "key.create",
          tenantId,
          targetType: "ingestion-key",
          targetId: id,
        });
      });
      return { key, id, prefix };
    },

    listKeys: (tenantId) => tenantsRepo.listKeys(control.db, tenantId),

    async revokeKey(keyId, actor) {
      const now = deps.clock.now();
      return control.db.transaction().execute(async (trx) => {
        const key = await tenantsRepo.findKey(trx, keyId);
        if (!key) throw notFound(`ingestion key ${keyId}`);
        if (await tenantsRepo.revokeKey(trx, keyId, now, actor.id)) {
          await appendAudit(trx, control.dialect, now, {
            actorId: actor.id,
            actorRole: actor.role,
            action: "key.revoke",
            tenantId: key.tenantId,
            targetType: "ingestion-key",
            targetId: keyId,
          });
          await announce(trx, control, { kind: "keys" });
          return { ...key, revokedAt: now };
        }
        return key;
      });
    },

    liveKeyIds: (ids) => tenantsRepo.liveKeyIds(control.db, ids),

    async authenticateKey(secret) {
      if (!secret.startsWith(KEY_PREFIX) || secret.length > 128) return null;
      return tenantsRepo.findActiveKeyByHash(control.db, sha256Hex(secret));
    },
  };
  return service;
}
