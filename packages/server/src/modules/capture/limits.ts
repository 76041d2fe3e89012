import { MINUTE_MS } from "../../clock.js";

/** Bounds on one interaction, besides the configurable content cap. Documented in the README. */
export const LIMITS = {
  idLength: 128,
  featureLength: 128,
  conversationIdLength: 128,
  modelLength: 128,
  providerLength: 64,
  finishReasonLength: 64,
  maxLatencyMs: 24 * 60 * MINUTE_MS,
  maxTokens: 100_000_000,
  attributes: 32,
  attributeKeyLength: 64,
  attributeValueLength: 256,
  /** How far in the future a client clock may put occurredAt. */
  futureSkewMs: 5 * MINUTE_MS,
} as const;
