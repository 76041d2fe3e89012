import type { Counters } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/** The client's own tally; handed out only as snapshots. */
export type MutableCounters = Mutable<Counters>;
export type DropReason = keyof Counters["dropped"];

export function newCounters(): MutableCounters {
  return {
    captured: 0,
    sent: 0,
    duplicates: 0,
    rejected: 0,
    failed: 0,
    invalid: 0,
    dropped: {
      consentOff: 0,
      consentUnknown: 0,
      overflow: 0,
      server: 0,
      keyRefused: 0,
      closed: 0,
      excluded: 0,
    },
  };
}

export function snapshot(c: MutableCounters): Counters {
  return Object.freeze({ ...c, dropped: Object.freeze({ ...c.dropped }) });
}

/** Interactions that reached an outcome (everything but those still queued or in flight). */
export function settled(c: Counters): number {
  const d = c.dropped;
  return (
    c.sent +
    c.duplicates +
    c.rejected +
    c.failed +
    c.invalid +
    d.consentOff +
    d.consentUnknown +
    d.overflow +
    d.server +
    d.keyRefused +
    d.closed +
    d.excluded
  );
}
