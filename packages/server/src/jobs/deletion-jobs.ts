import type { RetentionService } from "../modules/retention/service.js";
import type { JobDefinition } from "./scheduler.js";

/**
 * The deletion jobs (P4, P5): per region, the withdrawal purge then the retention sweep. Each has
 * its own lease, so different processes may work different regions at the same time.
 */
export function deletionJobs(retention: RetentionService, retentionSweepMinutes = 60): JobDefinition[] {
  return retention.regions().flatMap((region): JobDefinition[] => [
    {
      lease: `withdrawal:${region}`,
      job: "withdrawal",
      region,
      async run(ctx) {
        const result = await retention.purgeDueWithdrawals(region, { afterBatch: () => ctx.checkpoint() });
        return { result, notable: result.receipts.length > 0 || result.unfinished > 0 };
      },
    },
    {
      lease: `retention:${region}`,
      job: "retention",
      region,
      // Reads hide expired data at once; the sweep only removes it, so it need not run every
      // interval, and each run that deletes leaves a receipt per tenant.
      minIntervalMs: retentionSweepMinutes * 60_000,
      async run(ctx) {
        const result = await retention.sweepRetention(region, { afterBatch: () => ctx.checkpoint() });
        return { result, notable: result.receipts.length > 0 };
      },
    },
  ]);
}
