import type {
  Telemetry as ContractTelemetry,
  InteractionItem,
  TenantIngestResult,
} from "./contract/index.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Metadata about one interaction; stored in clear for aggregates (no content here). */
export type Telemetry = Readonly<ContractTelemetry>;

/**
 * One AI feature use, shaped like an item of `POST /v1/interactions` (the contract's
 * InteractionItem), except that `occurredAt` may also be a Date: it defaults to the time of
 * `capture()`. `input` and `output` are typed `unknown` so interface types such as a model SDK's
 * message types fit; what is not JSON is counted `invalid`. Content: stored encrypted, only while
 * the tenant shares. `id` makes retries idempotent; the SDK assigns a UUIDv7 when absent.
 */
export type Interaction = Readonly<Omit<InteractionItem, "occurredAt" | "telemetry">> & {
  readonly occurredAt?: Date | string | number;
  readonly telemetry?: Telemetry;
};

/**
 * The tenant's sharing state as this process knows it. `unknown` until the service first
 * answers, and again when the ingestion key is refused.
 */
export type SharingValue = "on" | "off" | "unknown";

export interface SharingSnapshot {
  readonly sharing: SharingValue;
  readonly tenant: string | null;
  readonly region: string | null;
  /** When the current state began (ISO 8601), as the service reports it. */
  readonly since: string | null;
  /**
   * True while the state is confirmed: the change stream is connected, or a poll answered
   * recently. Interactions are sent only while sharing is on and confirmed.
   */
  readonly confirmed: boolean;
  /** The service refused the ingestion key (401): nothing is sent until it accepts it. */
  readonly keyRefused: boolean;
  /** With a tenant key, while on: the features shared (null: every feature). */
  readonly features?: readonly string[] | null;
  /**
   * With a service key: every tenant's state as this process knows it (`sharing` is then
   * `unknown`, there being no one tenant; ask `isSharing(tenant)`).
   */
  readonly tenants?: TenantsSharingState;
}

/** With a service key: what this process knows of every tenant's sharing state. */
export interface TenantsSharingState {
  /** The first snapshot arrived (before it, every tenant is `unknown`). */
  readonly known: boolean;
  /** Tenants that share (a tenant not listed in the snapshot is off). */
  readonly sharingTenants: number;
  /** The service's version of the state, from the last snapshot. */
  readonly version: number | null;
  /** Full snapshots taken (the stream's first event, a poll's answer); a resumed stream sends none. */
  readonly snapshots: number;
  /** The stream is connected, or a poll answered recently: items may be sent. */
  readonly confirmed: boolean;
  /** The service refused the service key: nothing is sent until it accepts it. */
  readonly keyRefused: boolean;
}

/** What became of the interactions passed to `capture()`; every one ends in exactly one place. */
export interface Counters {
  /** Calls to `capture()`. */
  readonly captured: number;
  /** Stored by the service. */
  readonly sent: number;
  /** Already stored by an earlier attempt (a retry whose first answer was lost). */
  readonly duplicates: number;
  /** Refused by the service as invalid (it named a reason). */
  readonly rejected: number;
  /** Given up: retries exhausted, an unexpected answer, or still undelivered at `close()`. */
  readonly failed: number;
  /** Not an interaction the service could take (missing feature/input/output, too large, not JSON). */
  readonly invalid: number;
  readonly dropped: {
    /** Sharing was off (locally known, or turned off while queued): never sent. With a service
     *  key: the item's tenant does not share (or does not share its feature). */
    readonly consentOff: number;
    /** Sharing not known yet (no answer from the service yet): never sent. */
    readonly consentUnknown: number;
    /** The queue was full: the oldest queued interactions made room. */
    readonly overflow: number;
    /** Sent, but the service did not store them (sharing off at the gate, or before the opt-in). */
    readonly server: number;
    /** The ingestion key was refused. */
    readonly keyRefused: number;
    /** `capture()` after `close()`. */
    readonly closed: number;
    /** The interaction's `subject` is excluded by the tenant (known locally, with either kind of key). */
    readonly excluded: number;
  };
}

export interface QueueStats {
  /** Interactions waiting to be sent. */
  readonly items: number;
  /** Their serialized size in bytes (those already serialized). */
  readonly bytes: number;
  /** Interactions in the batch being sent or waiting to be retried. */
  readonly inFlight: number;
}

/** A problem the client handled by itself, reported for diagnostics. Never carries content. */
export interface AssentEvent {
  readonly kind:
    | "network"
    | "http"
    | "rejected"
    | "key-refused"
    | "stream"
    | "poll"
    | "gave-up"
    | "too-large";
  readonly message: string;
  readonly status?: number;
}

/** One tenant's part of the answer to a service key's batch. */
export type TenantAnswer = Readonly<TenantIngestResult>;

/**
 * The answer of `POST /v1/interactions`: the contract's IngestResult (tenant key) or
 * ServiceIngestResult (service key), as the client reads either.
 */
export interface IngestAnswer {
  /** With a tenant key. */
  readonly sharing?: "on" | "off";
  /** With a service key: each tenant's results. */
  readonly tenants?: Readonly<Record<string, TenantAnswer>>;
  readonly accepted: number;
  readonly dropped: number;
  readonly duplicates: number;
  readonly rejected: readonly { readonly index: number; readonly error: string }[];
}

/** The client `createAssentClient` returns. */
export interface AssentClient {
  /**
   * Hands one interaction to the client and returns at once: true when it was queued, false
   * when it was dropped (sharing off or unknown, invalid, closed: see `counters`). Never
   * throws, never waits. The object is serialized on a later tick: do not mutate it after.
   * With a service key, `tenant` names whose interaction it is (without one it is `invalid`).
   */
  capture(interaction: Interaction): boolean;
  /**
   * Whether interactions of `tenant` (and of `feature`, if given) are sent now: its sharing is
   * known to be on. With a tenant key, `tenant` is ignored (the key names the tenant).
   */
  isSharing(tenant?: string, feature?: string): boolean;
  /**
   * Whether the tenant excluded this end user (`subject`): their interactions are dropped here
   * (counted `dropped.excluded`). With a service key, name the tenant (its id or external id).
   */
  isExcluded(subject: string, tenant?: string): boolean;
  /** With a service key: `on`, `off`, or `unknown` (before the first snapshot) for `tenant`. */
  sharingOf(tenant?: string, feature?: string): SharingValue;
  /** Calls `listener` whenever one tenant's sharing changes; returns the unsubscribe function. */
  onTenantSharingChange(listener: (tenant: string, sharing: "on" | "off") => void): () => void;
  /**
   * Sends what is queued now and waits until everything captured before the call has an
   * outcome, or `timeoutMs` passed. Resolves true when it all did; never rejects.
   */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops capturing, flushes (up to `timeoutMs`), then closes the sharing stream. Never rejects. */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves once the sharing state is known (or after `timeoutMs`) with the state. */
  ready(timeoutMs?: number): Promise<SharingSnapshot>;
  /** Calls `listener` on every change of the sharing state; returns the unsubscribe function. */
  onSharingChange(listener: (s: SharingSnapshot) => void): () => void;
  readonly sharing: SharingValue;
  readonly sharingState: SharingSnapshot;
  readonly counters: Counters;
  readonly queue: QueueStats;
}
