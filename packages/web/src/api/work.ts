import type {
  AddItemsResult,
  CoveredTenant,
  DataHeld,
  Dataset,
  DatasetItem,
  InteractionMeta,
  InteractionPage,
  Label,
  LabelVocabulary,
  NewDataset,
  NewLabel,
  NewQueue,
  NextItem,
  PasswordReset,
  Queue,
  QueueItem,
  ReviewState,
  User,
  UserChange,
} from "@assent/sdk/contract/staff";
import { ApiError, call, type Query, withQuery } from "./client.js";

/**
 * The API of the annotation workflow, datasets, people and "data held": shapes and calls
 * (see the server's route schemas in modules/review/queues, datasets, access/lifecycle, insights).
 */

export { QUEUE_LIMITS, REVIEW_STATES } from "@assent/sdk/contract/staff";

const id = encodeURIComponent;

export const workApi = {
  labelSchema: () => call<LabelVocabulary>("GET", "/api/review/label-schema"),
  tenants: () => call<CoveredTenant[]>("GET", "/api/review/tenants"),
  directory: () => call<CoveredTenant[]>("GET", "/api/review/tenants?scope=all"),
  queues: () => call<Queue[]>("GET", "/api/review/queues"),
  queue: (queueId: string) => call<Queue>("GET", `/api/review/queues/${id(queueId)}`),
  createQueue: (body: NewQueue) => call<Queue>("POST", "/api/review/queues", body),
  next: (queueId: string) => call<NextItem>("POST", `/api/review/queues/${id(queueId)}/next`),
  setState: (queueId: string, interactionId: string, state: ReviewState) =>
    call<QueueItem>("POST", `/api/review/queues/${id(queueId)}/items/${id(interactionId)}`, { state }),
  label: (interactionId: string, body: NewLabel) =>
    call<Label>("POST", `/api/review/interactions/${id(interactionId)}/labels`, body),
  /** The ids of interactions matching a review-queue filter, newest first (metadata only). */
  matching: async (query: Query, max: number): Promise<InteractionMeta[]> => {
    const out: InteractionMeta[] = [];
    let cursor: string | null = null;
    do {
      const page: InteractionPage = await call(
        "GET",
        withQuery("/api/review/interactions", { ...query, limit: 200, cursor }),
      );
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && out.length < max);
    return out.slice(0, max);
  },
  datasets: () => call<Dataset[]>("GET", "/api/datasets"),
  createDataset: (body: NewDataset) => call<Dataset>("POST", "/api/datasets", body),
  datasetItems: (datasetId: string) => call<DatasetItem[]>("GET", `/api/datasets/${id(datasetId)}/items`),
  addItems: (datasetId: string, interactionIds: string[]) =>
    call<AddItemsResult>("POST", `/api/datasets/${id(datasetId)}/items`, {
      interactionIds,
    }),
  /** The export as a file: an audited action (one audit event per tenant, before any content leaves). */
  exportDataset: async (datasetId: string): Promise<{ blob: Blob; items: number }> => {
    const res = await fetch(`/api/datasets/${id(datasetId)}/export`, {
      headers: { "x-assent-request": "1" },
      credentials: "same-origin",
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
      throw new ApiError(res.status, body.error ?? `http_${res.status}`, body.message ?? res.statusText);
    }
    return { blob: await res.blob(), items: Number(res.headers.get("x-assent-items") ?? 0) };
  },
  setUser: (userId: string, body: UserChange) => call<User>("PATCH", `/api/users/${id(userId)}`, body),
  resetPassword: (userId: string) => call<PasswordReset>("POST", `/api/users/${id(userId)}/reset-password`),
  dataHeld: () => call<DataHeld>("GET", "/api/tenant/data-held"),
};
