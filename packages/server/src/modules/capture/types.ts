export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Telemetry {
  readonly model: string | null;
  readonly provider: string | null;
  readonly latencyMs: number | null;
  readonly tokensIn: number | null;
  readonly tokensOut: number | null;
  readonly finishReason: string | null;
  readonly feedback: number | null;
  readonly attributes: Readonly<Record<string, string | number | boolean | null>>;
}

/** One validated interaction, ready for the gate. */
export interface InteractionInput {
  readonly clientId: string | null;
  readonly feature: string;
  /** Input and output serialized once, as sealed: JSON of {"i": input, "o": output}. */
  readonly content: string;
  readonly occurredAt: number;
  readonly conversationId: string | null;
  readonly telemetry: Telemetry;
  /**
   * The vendor's pseudonymous id of the end user. Raw only until the capture service hashes it,
   * before the gate: what reaches a store is `subjectHash`.
   */
  readonly subject?: string | null;
  /** The subject's keyed hash (set by the capture service; never from a client). */
  readonly subjectHash?: string | null;
}

export type {
  IngestResult,
  RejectedItem,
  ServiceIngestResult,
  TenantIngestResult,
} from "@assent/sdk/contract";

/** An interaction's metadata: everything but the content. */
export interface InteractionMeta {
  readonly id: string;
  readonly tenantId: string;
  readonly region: string;
  readonly clientId: string | null;
  readonly periodId: string;
  readonly feature: string;
  readonly conversationId: string | null;
  readonly occurredAt: number;
  readonly capturedAt: number;
  readonly telemetry: Telemetry;
}

export interface InteractionWithContent extends InteractionMeta {
  readonly input: JsonValue;
  readonly output: JsonValue;
}
