import { type Static, Type } from "typebox";
import { NullableString, NullableTime, Time } from "./common.js";

/** Deletion receipts: what a purge destroyed and when, hashed and signed. */

export const PURGE_KINDS = ["withdrawal", "delete-now", "retention", "subject-erasure"] as const;
export type PurgeKind = (typeof PURGE_KINDS)[number];

export const DeletionCountsSchema = Type.Object({
  interactions: Type.Integer(),
  labels: Type.Integer(),
  datasetItems: Type.Integer(),
  dataKeys: Type.Integer(),
});

export const ReceiptSchema = Type.Object({
  id: Type.String(),
  kind: Type.Enum(PURGE_KINDS),
  tenantId: Type.String(),
  region: Type.String(),
  periodId: NullableString,
  deleteBy: NullableTime,
  cutoff: NullableTime,
  deleted: DeletionCountsSchema,
  startedAt: Time,
  keysDestroyedAt: NullableTime,
  completedAt: Time,
  subjectRef: Type.Optional(
    Type.String({ description: "subject erasure: the start of the subject's keyed hash (never the id)" }),
  ),
  hash: Type.String({
    description: "sha256 of the receipt's canonical JSON (sorted keys) without hash and jws",
  }),
  jws: Type.Optional(
    Type.String({ description: "compact JWS (EdDSA, kid) of the receipt without jws: see docs/evidence.md" }),
  ),
});

export const ReceiptListSchema = Type.Object({
  items: Type.Array(ReceiptSchema),
  nextCursor: NullableString,
});

export type DeletionCounts = Static<typeof DeletionCountsSchema>;
export type Receipt = Static<typeof ReceiptSchema>;
