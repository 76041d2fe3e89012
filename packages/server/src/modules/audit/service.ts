import type { AccessConfig } from "../../config.js";
import { badRequest } from "../../errors.js";
import type { AuditEventTable } from "../../stores/audit-schema.js";
import type { Stores } from "../../stores/open.js";
import { regionStore } from "../../stores/regions.js";
import { readJson } from "../../stores/store.js";
import type { GrantsService } from "../access/grants/service.js";
import type { UsersService } from "../access/service.js";
import type { TenantRef } from "../consent/types.js";
import { ACCESS_ACTION_LIST } from "./actions.js";
import type { AuditDb } from "./chain.js";
import { auditRepo } from "./repo.js";
import { type CheckpointCheck, type VerifyReport, verifyAuditChains } from "./verify.js";

export interface AuditEvent {
  readonly chain: string;
  readonly seq: number;
  readonly id: string;
  readonly at: number;
  readonly actorId: string | null;
  /** The signed-in person behind actorId, for display; null for system actors and unknown ids. */
  readonly actor: { readonly name: string | null; readonly email: string } | null;
  readonly actorRole: string | null;
  readonly action: string;
  readonly tenantId: string | null;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly grantId: string | null;
  readonly reason: string | null;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

export interface EventQuery {
  /** `control` or `region-<name>`. */
  readonly chain: string;
  readonly tenantId?: string;
  readonly action?: string;
  readonly actorId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly cursor?: string;
  readonly limit?: number;
}

/** One access to a tenant's shared data, as the tenant sees it. */
export interface AccessLogEntry {
  readonly eventId: string;
  readonly at: number;
  readonly action: string;
  /** The staff member's name (or email), or their staff id, as the deployment is configured. */
  readonly who: string;
  readonly staffId: string | null;
  readonly role: string | null;
  readonly reasonCode: string | null;
  readonly justification: string | null;
  readonly ticket: string | null;
  readonly grantId: string | null;
  readonly grantEndsAt: number | null;
  readonly interactionIds: readonly string[];
  readonly datasetId: string | null;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface AuditService {
  chains(): string[];
  listEvents(q: EventQuery): Promise<Page<AuditEvent>>;
  /** Every access to the tenant's data, newest first: who, role, when, why, under which grant, what. */
  accessLog(tenant: TenantRef, opts?: { cursor?: string; limit?: number }): Promise<Page<AccessLogEntry>>;
  /** What `assent audit verify` runs: every chain recomputed and checked against its checkpoints. */
  verify(): Promise<VerifyReport>;
}

export interface AuditDeps {
  readonly stores: Pick<Stores, "control" | "regions">;
  readonly grants: Pick<GrantsService, "grantsByIds">;
  readonly users: Pick<UsersService, "describeUsers">;
  readonly identity: AccessConfig["transparencyIdentity"];
  /** How verify checks the signed checkpoints (as the CLI does); without it they are not checked. */
  readonly checkpoints?: CheckpointCheck;
}

const toEvent = (chain: string, r: AuditEventTable, actor: AuditEvent["actor"]): AuditEvent => ({
  chain,
  seq: Number(r.seq),
  id: r.id,
  at: Number(r.at),
  actorId: r.actor_id,
  actor,
  actorRole: r.actor_role,
  action: r.action,
  tenantId: r.tenant_id,
  targetType: r.target_type,
  targetId: r.target_id,
  grantId: r.grant_id,
  reason: r.reason,
  details: readJson<Record<string, unknown>>(r.details),
  prevHash: r.prev_hash,
  hash: r.hash,
});

function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const n = Number(cursor);
  if (!Number.isSafeInteger(n) || n < 1)
    throw badRequest("invalid_cursor", "cursor must come from nextCursor");
  return n;
}

const clampLimit = (limit: number | undefined, dflt: number, max: number) =>
  Math.min(Math.max(limit ?? dflt, 1), max);

export function createAuditService(deps: AuditDeps): AuditService {
  const chainDb = (chain: string): AuditDb => {
    if (chain === "control") return deps.stores.control.db;
    if (!service.chains().includes(chain)) {
      throw badRequest("unknown_chain", `chain must be one of ${service.chains().join(", ")}`);
    }
    return regionStore(deps.stores.regions, chain.slice("region-".length)).db;
  };

  const service: AuditService = {
    verify: () => verifyAuditChains(deps.stores, deps.checkpoints),
    chains: () => ["control", ...[...deps.stores.regions.keys()].map((r) => `region-${r}`)],

    async listEvents(q) {
      const db = chainDb(q.chain);
      const limit = clampLimit(q.limit, 100, 500);
      const beforeSeq = parseCursor(q.cursor);
      const rows = await auditRepo.list(db, {
        ...(q.tenantId !== undefined ? { tenantId: q.tenantId } : {}),
        ...(q.action !== undefined ? { actions: [q.action] } : {}),
        ...(q.actorId !== undefined ? { actorId: q.actorId } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const people = await deps.users.describeUsers(
        page.map((r) => r.actor_id).filter((a): a is string => a !== null),
      );
      const actorOf = (id: string | null): AuditEvent["actor"] => {
        const user = id ? people.get(id) : undefined;
        return user ? { name: user.name, email: user.email } : null;
      };
      return {
        items: page.map((r) => toEvent(q.chain, r, actorOf(r.actor_id))),
        nextCursor: rows.length > limit ? String(page[page.length - 1]?.seq) : null,
      };
    },

    async accessLog(tenant, opts = {}) {
      // Content accesses are written to the tenant's home-region chain only, next to its data.
      const db = chainDb(`region-${tenant.region}`);
      const limit = clampLimit(opts.limit, 50, 200);
      const beforeSeq = parseCursor(opts.cursor);
      const rows = await auditRepo.list(db, {
        tenantId: tenant.id,
        actions: ACCESS_ACTION_LIST,
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const grants = await deps.grants.grantsByIds(
        page.map((r) => r.grant_id).filter((g): g is string => g !== null),
      );
      const staff = await deps.users.describeUsers(
        page.map((r) => r.actor_id).filter((a): a is string => a !== null),
      );
      const items = page.map((r): AccessLogEntry => {
        const details = readJson<Record<string, unknown>>(r.details);
        const grant = r.grant_id ? grants.get(r.grant_id) : undefined;
        const user = r.actor_id ? staff.get(r.actor_id) : undefined;
        const listed = Array.isArray(details.interactionIds)
          ? details.interactionIds.filter((x): x is string => typeof x === "string")
          : [];
        const interactionIds = r.target_type === "interaction" && r.target_id ? [r.target_id] : listed;
        return {
          eventId: r.id,
          at: Number(r.at),
          action: r.action,
          who: deps.identity === "staff-id" || !user ? (r.actor_id ?? "unknown") : (user.name ?? user.email),
          staffId: r.actor_id,
          role: r.actor_role,
          reasonCode: grant?.reasonCode ?? r.reason,
          justification: grant?.justification ?? null,
          ticket: grant?.ticket ?? null,
          grantId: r.grant_id,
          grantEndsAt: grant?.endsAt ?? null,
          interactionIds,
          datasetId: typeof details.datasetId === "string" ? details.datasetId : null,
        };
      });
      return { items, nextCursor: rows.length > limit ? String(page[page.length - 1]?.seq) : null };
    },
  };
  return service;
}
