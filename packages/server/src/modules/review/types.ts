import type { LabelKind, Preference } from "@assent/sdk/contract";
import type { InteractionMeta, InteractionWithContent } from "../capture/types.js";

export interface QueueFilter {
  readonly tenantId?: string;
  readonly region?: string;
  readonly feature?: string;
  /** Inclusive lower and exclusive upper bound on occurredAt. */
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface QueuePage {
  readonly items: InteractionMeta[];
  readonly nextCursor: string | null;
}

export interface LabelInput {
  readonly rating?: number | null;
  readonly tags?: readonly string[];
  readonly note?: string | null;
  /** What the output should have been (sealed like the note), when the program's labels take one. */
  readonly correctedOutput?: string | null;
  /** Labelled from this annotation queue: its item is marked done with the label. */
  readonly queueId?: string;
}

export interface Label {
  readonly id: string;
  readonly interactionId: string;
  readonly tenantId: string;
  readonly reviewerId: string;
  readonly grantId: string;
  readonly rating: number | null;
  readonly tags: readonly string[];
  /** Opened only inside an audited read (or echoed to its author on creation). */
  readonly note: string | null;
  readonly correctedOutput: string | null;
  readonly kind: LabelKind;
  /** A preference: the other interaction compared, and which of the two is better. */
  readonly comparedWith: string | null;
  readonly preference: Preference | null;
  readonly createdAt: number;
}

/**
 * Two interactions of one tenant, feature and sharing period side by side: which is better (a, b
 * or tie). Stored on the older of the two (the preference turned round when that is b).
 */
export interface ComparisonInput {
  readonly a: string;
  readonly b: string;
  readonly preference: Preference;
  readonly note?: string;
}

/** One interaction with its content, read under a grant (the read is in the audit log). */
export interface ReviewedInteraction extends InteractionWithContent {
  readonly grantId: string;
  readonly labels: readonly Label[];
}
