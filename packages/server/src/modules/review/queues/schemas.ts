import { REVIEW_STATES } from "@assent/sdk/contract";
import { Type } from "typebox";

export {
  CreateQueueSchema,
  NextSchema,
  ProgressSchema,
  QueueItemSchema,
  QueueItemsPageSchema,
  QueueSchema,
  SetStateSchema,
} from "@assent/sdk/contract";

export const QueueIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const QueueItemParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  interactionId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const QueueItemsQuery = Type.Object(
  {
    state: Type.Optional(Type.Enum(REVIEW_STATES)),
    after: Type.Optional(Type.Integer({ minimum: -1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
