import type { ConsentRecord } from "@assent/sdk/evidence";
import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import type { SigningJwk, SigningKeys } from "../../crypto/signing-keys.js";
import { conflict } from "../../errors.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import type { AccessLogEntry, AuditService } from "../audit/service.js";
import type { ConsentService } from "../consent/service.js";
import type { TenantRef } from "../consent/types.js";
import type { RetentionService } from "../retention/service.js";
import type { DeletionReceipt } from "../retention/types.js";
import { type Notice, type NoticeChange, type NoticeProgram, noticeChange, noticeOf } from "./notice.js";
import type { ConsentRecorder } from "./records.js";
import { recordsRepo } from "./repo.js";

/** What `GET /api/tenant/evidence` answers and `assent evidence verify` takes. */
export interface EvidenceBundleView {
  readonly tenant: { readonly id: string; readonly region: string };
  readonly generatedAt: string;
  readonly records: ConsentRecord[];
  readonly receipts: DeletionReceipt[];
  readonly accessLog: AccessLogEntry[];
  readonly keys: Jwks;
}

export interface Jwks {
  readonly keys: SigningJwk[];
}

export interface NoticeStatus {
  readonly current: Notice;
  /** The notice of the tenant's last opt-in or acceptance; null when it never shared. */
  readonly accepted: Notice | null;
  /** Purposes in force for the tenant (datasets of any other purpose refuse its interactions). */
  readonly purposes: string[];
  /** Set when the tenant shares and the notice changed since it accepted one. */
  readonly change: NoticeChange | null;
}

export interface EvidenceService {
  jwks(): Jwks;
  bundle(tenant: TenantRef): Promise<EvidenceBundleView>;
  noticeStatus(tenant: TenantRef): Promise<NoticeStatus>;
  /** The admin accepts the current notice (a new consent record); 409 while sharing is off. */
  acceptNotice(tenant: TenantRef, actor: Actor): Promise<NoticeStatus>;
  /**
   * The purposes each tenant has accepted. A tenant without any consent record (it shared before
   * records existed) is absent: callers treat it as having accepted the program's purposes.
   */
  acceptedPurposes(region: string, tenantIds: readonly string[]): Promise<Map<string, readonly string[]>>;
}

export interface EvidenceDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly program: NoticeProgram;
  readonly keys: Pick<SigningKeys, "jwks">;
  readonly recorder: ConsentRecorder;
  readonly consent: Pick<ConsentService, "getState">;
  readonly retention: Pick<RetentionService, "listReceipts">;
  readonly audit: Pick<AuditService, "accessLog">;
}

/** At most this many access-log entries in one bundle (newest first). */
const ACCESS_LOG_MAX = 20_000;
const ACCEPTING = new Set(["sharing.enable", "notice.accept"]);

export function createEvidenceService(deps: EvidenceDeps): EvidenceService {
  const current = noticeOf(deps.program);
  const storeOf = (region: string) => regionStore(deps.regions, region);

  async function noticeStatus(tenant: TenantRef): Promise<NoticeStatus> {
    const [records, state] = await Promise.all([
      recordsRepo.list(storeOf(tenant.region).db, tenant.id),
      deps.consent.getState(tenant),
    ]);
    const last = records.at(-1);
    const acceptedRecord = [...records].reverse().find((r) => ACCEPTING.has(r.kind));
    const accepted = acceptedRecord
      ? { ...acceptedRecord.notice, purposes: [...acceptedRecord.notice.purposes] }
      : null;
    return {
      current,
      accepted,
      purposes: last ? [...last.purposes] : [],
      // Shown to tenants that share: turning sharing on again accepts the notice of that moment.
      change: accepted && state.sharing === "on" ? noticeChange(accepted, current) : null,
    };
  }

  return {
    jwks: () => ({ keys: [...deps.keys.jwks().keys] }),

    async bundle(tenant) {
      const records = await recordsRepo.list(storeOf(tenant.region).db, tenant.id);
      const receipts: DeletionReceipt[] = [];
      let cursor: string | null = null;
      do {
        const page = await deps.retention.listReceipts(tenant, { limit: 500, cursor });
        receipts.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      receipts.reverse();
      const accessLog: AccessLogEntry[] = [];
      let logCursor: string | undefined;
      do {
        const page = await deps.audit.accessLog(tenant, {
          limit: 200,
          ...(logCursor ? { cursor: logCursor } : {}),
        });
        accessLog.push(...page.items);
        logCursor = page.nextCursor ?? undefined;
      } while (logCursor && accessLog.length < ACCESS_LOG_MAX);
      return {
        tenant: { id: tenant.id, region: tenant.region },
        generatedAt: new Date(deps.clock.now()).toISOString(),
        records,
        receipts,
        accessLog,
        keys: { keys: [...deps.keys.jwks().keys] },
      };
    },

    noticeStatus,

    async acceptNotice(tenant, actor) {
      const state = await deps.consent.getState(tenant);
      if (state.sharing !== "on")
        throw conflict("sharing_off", "sharing is off: turning it on accepts the current notice");
      const store = storeOf(tenant.region);
      await store.db.transaction().execute(async (trx) => {
        await deps.recorder.record(trx, store.dialect, {
          kind: "notice.accept",
          tenant,
          actor,
          at: deps.clock.now(),
          sharing: "on",
          periodId: state.periodId,
          acceptsNotice: true,
        });
      });
      return noticeStatus(tenant);
    },

    async acceptedPurposes(region, tenantIds) {
      const latest = await recordsRepo.latest(storeOf(region).db, tenantIds);
      return new Map([...latest].map(([t, r]) => [t, r.purposes]));
    },
  };
}
