import type { Telemetry as ContractTelemetry, IngestResult, InteractionItem } from "./contract/index.js";

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
    /** Sharing was off (locally known, or turned off while queued): never sent. */
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

/** The answer of `POST /v1/interactions`. */
export type IngestAnswer = Readonly<IngestResult>;
