import { type QueryKey, type UseQueryResult, useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { ApiError } from "./api/client.js";

export const asApiError = (err: unknown): ApiError =>
  err instanceof ApiError ? err : new ApiError(0, "client_error", (err as Error)?.message ?? String(err));

/** A server read as screens use it: TanStack Query's result. */
export type Loaded<T> = UseQueryResult<T, ApiError>;

export interface Action<A extends unknown[], R> {
  readonly busy: boolean;
  readonly error: ApiError | null;
  /** What the last successful run answered. */
  readonly data: R | undefined;
  run(...args: A): Promise<R | undefined>;
  clear(): void;
}

export interface ActionOptions {
  /** Query keys (prefixes) whose data the action changes: refetched once it succeeded. */
  readonly invalidates?: readonly QueryKey[];
}

/**
 * A button's action (a TanStack mutation): busy while running, the API's error kept for display
 * next to it, and the queries it changes invalidated after it succeeded.
 */
export function useAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  opts: ActionOptions = {},
): Action<A, R> {
  const client = useQueryClient();
  const mutation = useMutation<R, ApiError, A>({
    mutationFn: (args) => fn(...args),
    onSuccess: async () => {
      await Promise.all((opts.invalidates ?? []).map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
  const { mutateAsync, reset } = mutation;
  const run = useCallback(
    async (...args: A) => {
      try {
        return await mutateAsync(args);
      } catch {
        return undefined;
      }
    },
    [mutateAsync],
  );
  return {
    busy: mutation.isPending,
    error: mutation.error ? asApiError(mutation.error) : null,
    data: mutation.data,
    run,
    clear: reset,
  };
}

/** Cursor paging: the API gives only "next"; the cursors seen so far give "previous". */
export function useCursorPages() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const cursor = stack[stack.length - 1] ?? null;
  return {
    cursor,
    page: stack.length,
    next: (nextCursor: string) => setStack((s) => [...s, nextCursor]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  };
}
