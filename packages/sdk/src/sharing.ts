import { createHmac } from "node:crypto";
import { unrefTimer } from "./backoff.js";
import { type FollowOptions, follow } from "./follow.js";
import type { SharingSnapshot, SharingValue } from "./types.js";

export type SharingWatcherOptions = FollowOptions;

/**
 * The tenant's sharing state, kept current from `GET /v1/sharing/stream` (Server-Sent Events),
 * with `GET /v1/sharing` polling (ETag) while the stream is down. It only ever decides to hold
 * back: the service's gate decides what is stored.
 */
export interface SharingWatcher {
  readonly snapshot: SharingSnapshot;
  readonly sharing: SharingValue;
  /** Sharing is on, the state is confirmed and the key accepted: interactions may be sent. */
  canSend(): boolean;
  subscribe(listener: (s: SharingSnapshot) => void): () => void;
  /** Resolves with the first known state, or the current one after `timeoutMs`. */
  ready(timeoutMs: number): Promise<SharingSnapshot>;
  /** An ingest answer said sharing is off: act on it now, and re-check with a poll. */
  reportOff(): void;
  /** The service refused the ingestion key. */
  reportKeyRefused(): void;
  /**
   * Whether an interaction of `feature` about `subject` may go, as far as the tenant's scopes
   * are known here: "off" for a feature not shared, "excluded" for an excluded subject.
   */
  scopes(feature: string | undefined, subject: string | undefined): "on" | "off" | "excluded";
  close(): void;
}

interface SharingMessage {
  tenant: string;
  sharing: "on" | "off";
  since: string;
  region: string;
  features: ReadonlySet<string> | null;
  /** The key excluded subjects are checked with, and their check values. */
  subjectKey: Buffer | null;
  excluded: ReadonlySet<string>;
}

/** A subject's check value: what the service lists for excluded subjects (never the id). */
export const subjectCheck = (key: Buffer, subject: string): string =>
  createHmac("sha256", key).update(subject, "utf8").digest().subarray(0, 16).toString("hex");

const strings = (v: unknown): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;

function parseMessage(text: string): SharingMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const m = v as Record<string, unknown>;
  if (m.sharing !== "on" && m.sharing !== "off") return null;
  const str = (x: unknown) => (typeof x === "string" ? x : "");
  const features = strings(m.features);
  return {
    sharing: m.sharing,
    tenant: str(m.tenant),
    since: str(m.since),
    region: str(m.region),
    features: features ? new Set(features) : null,
    subjectKey: typeof m.subjectKey === "string" ? Buffer.from(m.subjectKey, "base64url") : null,
    excluded: new Set(strings(m.excluded) ?? []),
  };
}

export function createSharingWatcher(o: SharingWatcherOptions): SharingWatcher {
  const listeners = new Set<(s: SharingSnapshot) => void>();
  let sharing: SharingValue = "unknown";
  let tenant: string | null = null;
  let region: string | null = null;
  let since: string | null = null;
  let last: SharingSnapshot | null = null;
  let features: ReadonlySet<string> | null = null;
  let subjectKey: Buffer | null = null;
  let excluded: ReadonlySet<string> = new Set();

  const current = (): SharingSnapshot => ({
    sharing,
    tenant,
    region,
    since,
    confirmed: follower.confirmed(),
    keyRefused: follower.keyRefused,
    features: features ? [...features] : null,
  });

  const emit = () => {
    const s = current();
    if (
      last &&
      last.sharing === s.sharing &&
      last.confirmed === s.confirmed &&
      last.keyRefused === s.keyRefused &&
      last.since === s.since &&
      String(last.features) === String(s.features)
    ) {
      return;
    }
    last = s;
    for (const l of [...listeners]) {
      try {
        l(s);
      } catch {
        // One listener's failure must not keep the others from learning an opt-out.
      }
    }
  };

  const apply = (m: SharingMessage) => {
    sharing = m.sharing;
    tenant = m.tenant || tenant;
    region = m.region || region;
    since = m.since || since;
    features = m.features;
    subjectKey = m.subjectKey;
    excluded = m.excluded;
  };

  const follower = follow(o, {
    event(ev) {
      if (ev.event !== "sharing") return false;
      const m = parseMessage(ev.data);
      if (!m) {
        try {
          o.onEvent?.({ kind: "stream", message: "a sharing event had an unreadable body" });
        } catch {
          // Diagnostics must not break the client.
        }
        return false;
      }
      apply(m);
      return true;
    },
    polled(body) {
      const m = parseMessage(body);
      if (m) apply(m);
      return m !== null;
    },
    refused() {
      sharing = "unknown";
    },
    changed: emit,
  });

  const watcher: SharingWatcher = {
    get snapshot() {
      return current();
    },
    get sharing() {
      return sharing;
    },
    canSend: () => sharing === "on" && follower.confirmed(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready(timeoutMs) {
      if (sharing !== "unknown" || follower.closed) return Promise.resolve(current());
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          unsubscribe();
          resolve(current());
        };
        const timer = unrefTimer(done, timeoutMs);
        const unsubscribe = watcher.subscribe((s) => {
          if (s.sharing !== "unknown") done();
        });
      });
    },
    reportOff() {
      if (sharing !== "off") {
        sharing = "off";
        emit();
      }
      // The answer may be older than an opt-in the stream already reported: ask again, in full.
      void follower.poll(true);
    },
    reportKeyRefused: () => follower.refuseKey(),
    scopes(feature, subject) {
      if (feature !== undefined && features !== null && !features.has(feature)) return "off";
      if (
        subject !== undefined &&
        subjectKey !== null &&
        excluded.size > 0 &&
        excluded.has(subjectCheck(subjectKey, subject))
      )
        return "excluded";
      return "on";
    },
    close() {
      follower.close();
      listeners.clear();
    },
  };
  return watcher;
}
