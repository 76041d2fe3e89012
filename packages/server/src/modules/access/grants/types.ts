import type { RequestState } from "@assent/sdk/contract";

export { REASON_CODES, REQUEST_STATES, type ReasonCode, type RequestState } from "@assent/sdk/contract";

export type GrantStatus = "active" | "ended" | "revoked";

/** Time-boxed elevated access to content in a region (and, when scoped, one tenant). */
export interface Grant {
  readonly id: string;
  readonly requestId: string;
  readonly userId: string;
  readonly region: string;
  /** null: every tenant of the region. */
  readonly tenantId: string | null;
  readonly reasonCode: string;
  readonly justification: string;
  readonly ticket: string | null;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
}

export interface Approval {
  readonly approverId: string;
  readonly at: number;
}

export interface AccessRequest {
  readonly id: string;
  readonly requesterId: string;
  readonly requesterEmail: string;
  readonly region: string;
  readonly tenantId: string | null;
  readonly reasonCode: string;
  readonly justification: string;
  readonly ticket: string | null;
  readonly durationMinutes: number;
  readonly approvalsRequired: number;
  /** The state at the time of reading: a pending request past its deadline reads as expired. */
  readonly state: RequestState;
  readonly createdAt: number;
  readonly decideBy: number;
  readonly decidedAt: number | null;
  readonly decidedBy: string | null;
  readonly decisionNote: string | null;
  readonly approvals: readonly Approval[];
  readonly grant: Grant | null;
}

export interface NewAccessRequest {
  readonly region: string;
  readonly tenantId?: string | null;
  readonly reasonCode: string;
  readonly justification: string;
  readonly ticket?: string | null;
  readonly durationMinutes?: number;
}

export const grantStatus = (g: Grant, now: number): GrantStatus =>
  g.revokedAt !== null ? "revoked" : now >= g.endsAt ? "ended" : "active";

export const isGrantActive = (g: Grant, now: number): boolean =>
  g.revokedAt === null && g.startsAt <= now && now < g.endsAt;
