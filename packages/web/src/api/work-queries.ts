import { queryOptions } from "@tanstack/react-query";
import { LIVE_MS } from "./queries.js";
import { workApi } from "./work.js";

/** Query options of the annotation workflow, datasets and "data held" (keys under review / tenant). */
export const workKeys = {
  queues: ["review", "queues"] as const,
  datasets: ["review", "datasets"] as const,
};

export const workQueries = {
  labelSchema: () =>
    queryOptions({
      queryKey: ["review", "label-schema"] as const,
      queryFn: workApi.labelSchema,
      staleTime: 5 * 60_000,
    }),
  tenants: (grants = 0) =>
    queryOptions({ queryKey: ["review", "tenants", grants] as const, queryFn: workApi.tenants }),
  /** Every tenant by name and region: what a reviewer asks access to. */
  directory: () =>
    queryOptions({
      queryKey: ["review", "tenants", "all"] as const,
      queryFn: workApi.directory,
      staleTime: 60_000,
    }),
  /** Progress changes as other reviewers work: polled while in view. */
  queues: (grants = 0) =>
    queryOptions({
      queryKey: [...workKeys.queues, grants] as const,
      queryFn: workApi.queues,
      refetchInterval: LIVE_MS,
    }),
  queue: (id: string) =>
    queryOptions({ queryKey: [...workKeys.queues, "one", id] as const, queryFn: () => workApi.queue(id) }),
  datasets: () => queryOptions({ queryKey: workKeys.datasets, queryFn: workApi.datasets }),
  datasetItems: (id: string) =>
    queryOptions({
      queryKey: [...workKeys.datasets, id, "items"] as const,
      queryFn: () => workApi.datasetItems(id),
    }),
  dataHeld: () =>
    queryOptions({
      queryKey: ["tenant", "data-held"] as const,
      queryFn: workApi.dataHeld,
      refetchInterval: LIVE_MS,
    }),
};
