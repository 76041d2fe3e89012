import { QueryClient } from "@tanstack/react-query";
import type { ApiError } from "./client.js";

declare module "@tanstack/react-query" {
  interface Register {
    defaultError: ApiError;
  }
}

/** Retry only what may pass the second time: the network, or a server error — never a 4xx. */
const retry = (failures: number, err: ApiError): boolean =>
  failures < 2 && (err.status === 0 || err.status >= 500);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry,
        staleTime: 5_000,
        refetchOnWindowFocus: true,
        // Polling pauses while the tab is hidden; focus brings the page up to date at once.
        refetchIntervalInBackground: false,
      },
      mutations: { retry: false },
    },
  });
}
