import { type Static, Type } from "typebox";
import { QUEUE_LIMITS, REVIEW_STATES } from "../staff.js";
import { Time } from "./common.js";
import { InteractionMetaSchema } from "./review.js";

/** Annotation queues: a saved filter plus sampling, items with a review state (ADR 0014). */

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

export const QueueItemsPageSchema = Type.Object({
  items: Type.Array(QueueItemSchema),
  nextAfter: Type.Union([Type.Integer(), Type.Null()]),
});

/** POST /api/review/queues/:id/next: the item handed out (null: nothing left) and the progress. */
export const NextSchema = Type.Object({
  item: Type.Union([QueueItemSchema, Type.Null()]),
  progress: ProgressSchema,
});

export const SetStateSchema = Type.Object({ state: State }, { additionalProperties: false });

export type NewQueue = Static<typeof CreateQueueSchema>;
export type QueueProgress = Static<typeof ProgressSchema>;
export type Queue = Static<typeof QueueSchema>;
export type QueueItem = Static<typeof QueueItemSchema>;
export type QueueItemsPage = Static<typeof QueueItemsPageSchema>;
export type NextItem = Static<typeof NextSchema>;
