import { Type } from "typebox";

export {
  AccessLogEntrySchema,
  AccessLogSchema,
  AuditEventSchema,
  AuditPageSchema,
  VerifyReportSchema,
} from "@assent/sdk/contract";

const Time = Type.String({ format: "date-time" });

export const AuditQuery = Type.Object(
  {
    chain: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "control or region-<name>" }),
    ),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "an actor id" })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    cursor: Type.Optional(Type.String({ maxLength: 32 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export const AccessLogQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 32 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
