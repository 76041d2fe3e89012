import type { ReviewState } from "@assent/sdk/contract";
import type { InteractionMeta } from "../../capture/types.js";

/** The saved filter of an annotation queue (its region is the store it lives in). */
export interface QueueFilter {
  readonly tenantId?: string;
  readonly feature?: string;
  /** Inclusive lower and exclusive upper bound on occurredAt. */
  readonly from?: number;
  readonly to?: number;
}

export interface NewQueue extends QueueFilter {
  readonly region: string;
  readonly name: string;
  /** Interactions sampled at random per feature; absent: the newest, up to the queue limit. */
  readonly sample?: number;
}

export interface QueueProgress {
  readonly total: number;
  readonly new: number;
  readonly inReview: number;
  readonly done: number;
  readonly skipped: number;
}

export interface Queue {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly filter: QueueFilter;
  readonly samplePerFeature: number | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly progress: QueueProgress;
}

export interface QueueItem {
  readonly interactionId: string;
  readonly tenantId: string;
  readonly feature: string;
  readonly position: number;
  readonly state: ReviewState;
  readonly assigneeId: string | null;
  readonly updatedAt: number;
  /** Metadata only (never content); null when the interaction is no longer within retention. */
  readonly interaction: InteractionMeta | null;
}
