/**
 * Evidence a tenant can check without trusting the vendor: signed consent records and deletion
 * receipts (see docs/evidence.md). Each carries `jws`, a compact JWS (EdDSA, `kid`) whose payload
 * is the canonical JSON of the record itself without `jws`.
 */

/** One public key of the deployment's JWKS (`/.well-known/assent-keys.json`). */
export interface EvidenceJwk {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
}

export interface EvidenceJwks {
  readonly keys: EvidenceJwk[];
}

/** ISO/IEC TS 27560-shaped record of one change of a tenant's setting. */
export interface ConsentRecord {
  readonly type: "assent.consent-record/v1";
  readonly id: string;
  /** Position in the tenant's chain, from 1. */
  readonly seq: number;
  /** What changed: `sharing.enable`, `sharing.disable`, `notice.accept`, or a later kind. */
  readonly kind: string;
  readonly tenant: { readonly id: string; readonly region: string };
  readonly actor: {
    readonly id: string;
    readonly label: string;
    readonly role: string;
    readonly via?: { readonly tokenId: string; readonly tokenName: string; readonly actorName?: string };
  };
  /** How the change was made: `admin-center`, `management-api` or `system`. */
  readonly method: string;
  readonly time: string;
  readonly program: { readonly name: string };
  /** The notice the person saw: its version is the sha256 of its canonical {name, text, purposes}. */
  readonly notice: {
    readonly version: string;
    readonly name: string;
    readonly text: string;
    readonly purposes: readonly string[];
  };
  /** The purposes the tenant has agreed to, in force from this record on. */
  readonly purposes: readonly string[];
  /** What is shared: `features` null means every feature; other members name exclusions etc. */
  readonly scope: { readonly features: readonly string[] | null } & Record<string, unknown>;
  readonly sharing: "on" | "off";
  readonly periodId: string | null;
  readonly region: string;
  readonly retentionDays: number;
  readonly withdrawalDeleteDays: number;
  /** A `sharing.disable`: by when the period's data is deleted. */
  readonly deleteBy: string | null;
  /** The chain hash (sha256 hex of the canonical payload) of the record before; null for the first. */
  readonly previous: string | null;
  readonly jws?: string;
}

/** A deletion receipt (withdrawal, delete-now, retention, subject erasure, …). */
export interface SignedReceipt {
  readonly id: string;
  readonly kind: string;
  readonly tenantId: string;
  readonly region: string;
  readonly periodId: string | null;
  readonly deleteBy: string | null;
  readonly cutoff: string | null;
  readonly deleted: Readonly<Record<string, number>>;
  readonly startedAt: string;
  readonly keysDestroyedAt: string | null;
  readonly completedAt: string;
  readonly hash: string;
  readonly jws?: string;
}

export interface EvidenceBundle {
  readonly records?: readonly unknown[];
  readonly receipts?: readonly unknown[];
  readonly accessLog?: readonly unknown[];
  readonly keys?: EvidenceJwks;
}

export interface EvidenceFailure {
  readonly item: "record" | "receipt";
  readonly id: string;
  readonly problem: string;
}

export interface ItemResult {
  readonly item: "record" | "receipt";
  readonly id: string;
  readonly kind: string;
  /** The key that signed it. */
  readonly kid: string | null;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface EvidenceReport {
  readonly ok: boolean;
  readonly records: number;
  readonly receipts: number;
  readonly items: readonly ItemResult[];
  /** The first thing that does not hold, in input order (records first, then receipts). */
  readonly firstFailure: EvidenceFailure | null;
}
