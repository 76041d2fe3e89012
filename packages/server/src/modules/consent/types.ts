import type { ActorVia } from "../../actor.js";

export type SharingValue = "on" | "off";

export interface SharingState {
  readonly tenantId: string;
  readonly region: string;
  readonly sharing: SharingValue;
  /** When the current state began (opt-in or opt-out time; tenant creation while never on). */
  readonly since: number;
  /** The open sharing period while sharing is on. */
  readonly periodId: string | null;
  readonly version: number;
  /** The features the tenant chose to share; null: every feature (also while off). */
  readonly features: readonly string[] | null;
}

import type { DeletionReceipt } from "../retention/types.js";

export type { DeletionReceipt };

export interface SharingPeriod {
  readonly id: string;
  readonly optedInAt: number;
  readonly optedInBy: string;
  readonly optedOutAt: number | null;
  readonly optedOutBy: string | null;
  /** The API token a vendor's console changed the setting through, on behalf of `optedInBy`. */
  readonly optedInVia: ActorVia | null;
  readonly optedOutVia: ActorVia | null;
  readonly deleteBy: number | null;
  readonly deletedAt: number | null;
  readonly receipt: DeletionReceipt | null;
}

/** The open period as seen by the consent gate inside the capture transaction. */
export interface OpenPeriod {
  readonly id: string;
  readonly optedInAt: number;
  /** The features shared at the moment of the write; null: every feature. */
  readonly features: ReadonlySet<string> | null;
}

export interface TenantRef {
  readonly id: string;
  readonly region: string;
}
