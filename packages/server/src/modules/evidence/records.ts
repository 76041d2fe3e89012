import { type ConsentRecord, recordHash } from "@assent/sdk/evidence";
import type { Kysely } from "kysely";
import type { Actor } from "../../actor.js";
import type { ProgramConfig } from "../../config.js";
import { isoOrNull } from "../../http/time.js";
import { newId } from "../../ids.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { type Dialect, forUpdate } from "../../stores/store.js";
import { noticeOf } from "./notice.js";
import { recordsRepo } from "./repo.js";
import { type EvidenceSigner, signEvidence } from "./sign.js";

/**
 * One change of a tenant's setting, of any kind (on, off, features, exclusions, a notice
 * accepted…): what the consent record of it needs beyond what the program says.
 */
export interface ConsentChange {
  /** `sharing.enable`, `sharing.disable`, `notice.accept`, `features.change`, `exclusion.add`, … */
  readonly kind: string;
  readonly tenant: { readonly id: string; readonly region: string };
  readonly actor: Actor;
  readonly at: number;
  readonly sharing: "on" | "off";
  readonly periodId: string | null;
  readonly deleteBy?: number | null;
  /** Features shared (null: all of them); undefined keeps the previous record's. */
  readonly features?: readonly string[] | null;
  /** Other members of the scope (e.g. an exclusion's subject hash); merged over the previous. */
  readonly scope?: Readonly<Record<string, unknown>>;
  /**
   * The person accepted the notice shown (an opt-in, or accepting a changed notice): the
   * purposes in force become the notice's. Any other change keeps the purposes accepted before.
   */
  readonly acceptsNotice?: boolean;
}

export interface ConsentRecorder {
  /**
   * Appends the signed record of `change` to the tenant's chain. Runs inside the transaction of
   * the change, so a change and its record commit together; locks the tenant's sharing row so
   * two changes never fork the chain.
   */
  record(trx: Kysely<RegionDb>, dialect: Dialect, change: ConsentChange): Promise<ConsentRecord>;
}

export interface RecorderDeps {
  readonly signer: EvidenceSigner;
  readonly program: Pick<
    ProgramConfig,
    "name" | "description" | "allowedPurposes" | "retentionDays" | "withdrawalDeleteDays"
  >;
}

const methodOf = (actor: Actor) =>
  actor.via ? "management-api" : actor.role === "tenant-admin" ? "admin-center" : "system";

export function createConsentRecorder(deps: RecorderDeps): ConsentRecorder {
  const notice = noticeOf(deps.program);
  return {
    async record(trx, dialect, change) {
      await forUpdate(
        dialect,
        trx.selectFrom("sharing_state").select("tenant_id").where("tenant_id", "=", change.tenant.id),
      ).execute();
      const prev = await recordsRepo.last(trx, change.tenant.id);
      const { actor } = change;
      const body: Omit<ConsentRecord, "jws"> = {
        type: "assent.consent-record/v1",
        id: newId(),
        seq: (prev?.seq ?? 0) + 1,
        kind: change.kind,
        tenant: { id: change.tenant.id, region: change.tenant.region },
        actor: {
          id: actor.id,
          label: actor.label ?? actor.id,
          role: actor.role,
          ...(actor.via ? { via: { ...actor.via } } : {}),
        },
        method: methodOf(actor),
        time: new Date(change.at).toISOString(),
        program: { name: deps.program.name },
        notice: { ...notice, purposes: [...notice.purposes] },
        purposes: change.acceptsNotice ? [...notice.purposes] : [...(prev?.purposes ?? [])],
        scope: {
          ...(prev?.scope ?? {}),
          ...(change.scope ?? {}),
          features:
            change.features === undefined ? (prev?.scope.features ?? null) : (change.features ?? null),
        },
        sharing: change.sharing,
        periodId: change.periodId,
        region: change.tenant.region,
        retentionDays: deps.program.retentionDays,
        withdrawalDeleteDays: deps.program.withdrawalDeleteDays,
        deleteBy: isoOrNull(change.deleteBy ?? null),
        previous: prev ? await recordHash(prev) : null,
      };
      const record = await signEvidence(deps.signer, body);
      await recordsRepo.insert(trx, record);
      return record;
    },
  };
}
