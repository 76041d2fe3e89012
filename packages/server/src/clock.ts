/** The one source of "now" in the service, so tests can move time forward. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance; starts at the given epoch milliseconds. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 10, 25, 10, 0, 0)) {}
  now(): number {
    return this.current;
  }
  set(epochMs: number): void {
    this.current = epochMs;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC day number (days since the epoch) of a time. */
export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}
