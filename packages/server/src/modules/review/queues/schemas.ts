import { QUEUE_LIMITS, REVIEW_STATES } from "@assent/sdk/contract";
import { Type } from "typebox";
import { InteractionMetaSchema } from "../schemas.js";

const Time = Type.String({ format: "date-time" });
const State = Type.Enum(REVIEW_STATES);

export const CreateQueueSchema = Type.Object(
  {
    region: Type.String({ minLength: 1, maxLength: 32 }),
    name: Type.String({ minLength: 1, maxLength: QUEUE_LIMITS.nameMax }),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    feature: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    sample: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: QUEUE_LIMITS.maxSample,
        description: "interactions picked at random per feature (a fair slice, not only the newest)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const QueueIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const QueueItemParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  interactionId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const ProgressSchema = Type.Object({
  total: Type.Integer(),
  new: Type.Integer(),
  inReview: Type.Integer(),
  done: Type.Integer(),
  skipped: Type.Integer(),
});

export const QueueSchema = Type.Object({
  id: Type.String(),
  region: Type.String(),
  name: Type.String(),
  filter: Type.Object({
    tenant: Type.Optional(Type.String()),
    feature: Type.Optional(Type.String()),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
  }),
  samplePerFeature: Type.Union([Type.Integer(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Time,
  progress: ProgressSchema,
});

export const QueueItemSchema = Type.Object({
  interactionId: Type.String(),
  tenantId: Type.String(),
  feature: Type.String(),
  position: Type.Integer(),
  state: State,
  assigneeId: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Time,
  interaction: Type.Union([InteractionMetaSchema, Type.Null()]),
});

export const QueueItemsQuery = Type.Object(
  {
    state: Type.Optional(State),
    after: Type.Optional(Type.Integer({ minimum: -1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

export const QueueItemsPageSchema = Type.Object({
  items: Type.Array(QueueItemSchema),
  nextAfter: Type.Union([Type.Integer(), Type.Null()]),
});

export const NextSchema = Type.Object({
  item: Type.Union([QueueItemSchema, Type.Null()]),
  progress: ProgressSchema,
});

export const SetStateSchema = Type.Object({ state: State }, { additionalProperties: false });
