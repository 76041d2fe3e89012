import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "./api/client.js";

export const asApiError = (err: unknown): ApiError =>
  err instanceof ApiError ? err : new ApiError(0, "client_error", (err as Error)?.message ?? String(err));

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: ApiError | null;
  readonly loading: boolean;
  reload(): void;
  /** Replace the data with what an action answered (PUT /api/tenant/sharing answers like GET). */
  set(data: T): void;
}

/** Loads once `key` changes; the newest answer wins when loads overlap. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and tick are the triggers by design
  useEffect(() => {
    const mine = ++seq.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (mine !== seq.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setError(asApiError(err));
        setLoading(false);
      },
    );
  }, [key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((value: T) => {
    seq.current += 1;
    setData(value);
    setError(null);
    setLoading(false);
  }, []);
  return { data, error, loading, reload, set };
}

export interface Action<A extends unknown[], R> {
  readonly busy: boolean;
  readonly error: ApiError | null;
  run(...args: A): Promise<R | undefined>;
  clear(): void;
}

/** A button's action: busy while running, the API's error kept for display next to it. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await fnRef.current(...args);
    } catch (err) {
      setError(asApiError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
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
