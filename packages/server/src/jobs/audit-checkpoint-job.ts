import type { JobDefinition } from "./scheduler.js";

/**
 * Signs the head of every audit chain that moved since its last checkpoint (issue 16), every job
 * interval: events cut from a chain are detected unless they were all written after the last
 * checkpoint, so the interval bounds what truncation can hide.
 */
export function auditCheckpointJob(checkpoint: () => Promise<string[]>): JobDefinition {
  return {
    lease: "audit-checkpoint",
    job: "audit-checkpoint",
    region: null,
    async run() {
      const chains = await checkpoint();
      return { result: { chains }, notable: false };
    },
  };
}
