import { AppError } from "./errors.js";

/**
 * A time budget for a read done in chunks. Between chunks, `next()` yields to the event loop (so
 * on SQLite, whose driver is synchronous, other requests run between chunks instead of waiting
 * for the whole read) and fails the read with 503 + Retry-After once the budget is spent, rather
 * than letting one long read hold everyone up.
 */
export interface ReadBudget {
  next(): Promise<void>;
}

export const READ_RETRY_AFTER_S = 5;

export function readBudget(
  what: string,
  budgetMs: number,
  now: () => number = () => performance.now(),
): ReadBudget {
  const deadline = now() + budgetMs;
  return {
    async next() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (now() > deadline) {
        throw new AppError(
          503,
          "read_over_budget",
          `${what} took longer than its ${budgetMs} ms budget; retry later or narrow the window`,
          { "retry-after": String(READ_RETRY_AFTER_S) },
        );
      }
    },
  };
}
