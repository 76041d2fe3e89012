import { type Static, Type } from "typebox";
import { NullableTime, Time } from "./common.js";

/** A tenant's webhooks and their deliveries (access and deletion events, signed). */

export const DeliverySchema = Type.Object({
  id: Type.String(),
  eventId: Type.String({ description: "the audit event's id: the same in every retry of it" }),
  eventType: Type.String({ description: "access.<action> or deletion.<kind>" }),
  state: Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("failed")]),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time,
  nextAttemptAt: NullableTime,
  deliveredAt: NullableTime,
});

export const WebhookSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  createdAt: Time,
  createdBy: Type.String(),
  failures: Type.Integer({ description: "failed attempts in a row" }),
  disabledAt: NullableTime,
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  deliveries: Type.Array(DeliverySchema, { description: "the newest deliveries first" }),
});

export const WebhookListSchema = Type.Object({ items: Type.Array(WebhookSchema) });

export const CreateWebhookSchema = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 2048, description: "an https (or http) URL" }) },
  { additionalProperties: false },
);

export const CreatedWebhookSchema = Type.Object({
  webhook: WebhookSchema,
  secret: Type.String({ description: "the HMAC key of Assent-Signature: shown this once" }),
});

export type WebhookDelivery = Static<typeof DeliverySchema>;
export type Webhook = Static<typeof WebhookSchema>;
export type WebhookList = Static<typeof WebhookListSchema>;
export type CreatedWebhook = Static<typeof CreatedWebhookSchema>;
