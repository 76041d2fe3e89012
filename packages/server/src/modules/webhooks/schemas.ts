import { Type } from "typebox";

export {
  CreatedWebhookSchema,
  CreateWebhookSchema,
  DeliverySchema,
  WebhookListSchema,
  WebhookSchema,
} from "@assent/sdk/contract";

export const WebhookParams = Type.Object({ id: Type.String({ maxLength: 64, pattern: "^[0-9a-f-]+$" }) });
