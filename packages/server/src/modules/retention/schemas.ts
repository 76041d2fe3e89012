import { Type } from "typebox";
import { PURGE_KINDS } from "./types.js";

const Counts = Type.Object({
  interactions: Type.Integer(),
  labels: Type.Integer(),
  datasetItems: Type.Integer(),
  dataKeys: Type.Integer(),
});

const Time = Type.String({ format: "date-time" });
const NullableTime = Type.Union([Time, Type.Null()]);

export const ReceiptSchema = Type.Object({
  id: Type.String(),
  kind: Type.Enum(PURGE_KINDS),
  tenantId: Type.String(),
  region: Type.String(),
  periodId: Type.Union([Type.String(), Type.Null()]),
  deleteBy: NullableTime,
  cutoff: NullableTime,
  deleted: Counts,
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

export const ReceiptListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 64, pattern: "^[0-9a-f-]+$" })),
  },
  { additionalProperties: false },
);

export const ReceiptListSchema = Type.Object({
  items: Type.Array(ReceiptSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
