import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { AppError, badRequest, conflict, notFound } from "../../errors.js";
import { newId, newSecret, sha256Hex } from "../../ids.js";
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
          return { ...key, revokedAt: now };
        }
        return key;
      });
    },

    async authenticateKey(secret) {
      if (!secret.startsWith(KEY_PREFIX) || secret.length > 128) return null;
      return tenantsRepo.findActiveKeyByHash(control.db, sha256Hex(secret));
    },
  };
  return service;
}
