/**
 * The Retry-After of an ingest refusal, adapted to the load. A fixed second makes every refused
 * client of a sustained overload come straight back: hundreds of connections cycle through the
 * listen queue faster than one event loop accepts them (libuv accepts one connection per loop
 * iteration), and every answer, taken or refused, waits there for tens of seconds. So the wait
 * grows while refusals outnumber the requests the service completes, and shrinks when they do
 * not: once a second it is doubled when that second's refusals were more than both
 * `OVERLOAD_REFUSALS` and the requests completed, and halved otherwise (a quiet second included),
 * between 1 s and `maxSeconds`. Each refusal adds up to half the wait at random, so clients
 * refused in the same second do not all come back in the same second.
 */
export interface RetryAfter {
  /** Counts a refusal; the seconds to tell its client. */
  refused(): number;
  /** Counts an ingest request that was taken and answered. */
  completed(): void;
}

/** Refusals in one second below which the wait does not grow (a few refusals are no overload). */
export const OVERLOAD_REFUSALS = 4;

export function createRetryAfter(
  maxSeconds: number,
  now: () => number = () => performance.now(),
  random: () => number = Math.random,
): RetryAfter {
  let seconds = 1;
  let windowStart = now();
  let refused = 0;
  let completed = 0;
  const roll = () => {
    const elapsed = now() - windowStart;
    if (elapsed < 1000) return;
    const overloaded = refused > Math.max(OVERLOAD_REFUSALS, completed);
    seconds = overloaded ? Math.min(maxSeconds, seconds * 2) : Math.max(1, Math.floor(seconds / 2));
    // Seconds with nothing counted at all (no requests): halve once for each.
    const quiet = Math.floor(elapsed / 1000) - 1;
    if (quiet > 0) seconds = Math.max(1, Math.floor(seconds / 2 ** Math.min(quiet, 30)));
    windowStart += Math.floor(elapsed / 1000) * 1000;
    refused = 0;
    completed = 0;
  };
  return {
    refused() {
      roll();
      refused += 1;
      return seconds + Math.floor(random() * (Math.floor(seconds / 2) + 1));
    },
    completed() {
      roll();
      completed += 1;
    },
  };
}
