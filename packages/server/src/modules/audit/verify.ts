import type { SigningKeys } from "../../crypto/signing-keys.js";
import type { Stores } from "../../stores/open.js";
import { type ChainBreak, type ChainReport, verifyChain } from "./chain.js";
import { verifyCheckpoints } from "./checkpoints.js";

export interface VerifyReport {
  readonly ok: boolean;
  /** Chain name (`control`, `region-<name>`) → its report. */
  readonly chains: Record<string, ChainReport>;
  /** The first broken entry found, named: chain, sequence number, id and action. */
  readonly firstBroken: (ChainBreak & { readonly chain: string; readonly message: string }) | null;
}

/** The chains of a deployment by name: the control store's and each region store's. */
export function auditChains(stores: Pick<Stores, "control" | "regions">) {
  return [
    ["control", stores.control.db] as const,
    ...[...stores.regions].map(([region, store]) => [`region-${region}`, store.db] as const),
  ];
}

export function describeBreak(chain: string, b: ChainBreak): string {
  const what = b.id ? `event ${b.seq} (id ${b.id}, action ${b.action})` : `event ${b.seq}`;
  return `audit chain ${chain} is broken at ${what}: ${b.problem}`;
}

/** How `verify` checks the signed head checkpoints (checkpoints.ts); without it they are not checked. */
export interface CheckpointCheck {
  readonly keys: Pick<SigningKeys, "verify">;
  /** The embedded default's checkpoint file, when there is one. */
  readonly anchorFile: string | null;
}

/**
 * What `assent audit verify` runs: recomputes every chain, checks it against its signed
 * checkpoints, and names the first broken entry.
 */
export async function verifyAuditChains(
  stores: Pick<Stores, "control" | "regions">,
  checkpoints?: CheckpointCheck,
): Promise<VerifyReport> {
  const chains: Record<string, ChainReport> = {};
  let firstBroken: VerifyReport["firstBroken"] = null;
  for (const [name, db] of auditChains(stores)) {
    let report = await verifyChain(db);
    if (!report.broken && checkpoints) {
      const broken = await verifyCheckpoints(
        name,
        db,
        report.events,
        checkpoints.keys,
        checkpoints.anchorFile,
      );
      if (broken) report = { ...report, broken };
    }
    chains[name] = report;
    if (report.broken && !firstBroken) {
      firstBroken = { ...report.broken, chain: name, message: describeBreak(name, report.broken) };
    }
  }
  return { ok: firstBroken === null, chains, firstBroken };
}
