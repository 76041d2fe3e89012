import { type Static, Type } from "typebox";

/** The tenant admin's evidence: the signed bundle, the published keys, the notice accepted. */

/** A record or receipt is sent whole: its `jws` covers every member, so nothing may be dropped. */
const Signed = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

const Jwk = Type.Object({
  kty: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  kid: Type.String(),
  use: Type.String(),
  alg: Type.String(),
});

export const JwksSchema = Type.Object(
  { keys: Type.Array(Jwk) },
  { description: "the deployment's Ed25519 signing keys, current first, retired keys kept" },
);

export const EvidenceBundleSchema = Type.Object({
  tenant: Type.Object({ id: Type.String(), region: Type.String() }),
  generatedAt: Type.String({ format: "date-time" }),
  records: Type.Array(
    Signed("a signed consent record (ISO/IEC TS 27560 shape), oldest first: see docs/evidence.md"),
  ),
  receipts: Type.Array(Signed("a signed deletion receipt, oldest first")),
  accessLog: Type.Array(Signed("one access to the tenant's data (who, role, when, why, grant, ids)")),
  keys: JwksSchema,
});

export const NoticeSchema = Type.Object({
  version: Type.String({ description: "sha256 (hex) of the canonical JSON of {name, text, purposes}" }),
  name: Type.String(),
  text: Type.String(),
  purposes: Type.Array(Type.String()),
});

export const NoticeStatusSchema = Type.Object({
  current: NoticeSchema,
  accepted: Type.Union([NoticeSchema, Type.Null()]),
  purposes: Type.Array(Type.String(), { description: "the purposes in force for this tenant" }),
  change: Type.Union([
    Type.Object({
      addedPurposes: Type.Array(Type.String()),
      removedPurposes: Type.Array(Type.String()),
      textChanged: Type.Boolean(),
      nameChanged: Type.Boolean(),
    }),
    Type.Null(),
  ]),
});

export type Jwks = Static<typeof JwksSchema>;
export type EvidenceBundle = Static<typeof EvidenceBundleSchema>;
export type Notice = Static<typeof NoticeSchema>;
export type NoticeStatus = Static<typeof NoticeStatusSchema>;
