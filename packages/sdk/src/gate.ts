import type { FollowOptions } from "./follow.js";
import type { MayGo } from "./queue.js";
import type { ReadyItem } from "./serialize.js";
import { createSharingWatcher } from "./sharing.js";
import { createTenantsWatcher, type TenantEntry, type TenantsChange } from "./tenants.js";
import type { IngestAnswer, SharingSnapshot, SharingValue } from "./types.js";

/** What `capture()` may do with one interaction, as far as this process knows. */
export type Admission = "on" | "off" | "unknown" | "refused" | "excluded";

/** What the client does when the sharing state changes. */
export type GateChange =
  /** Nothing queued may go: drop it all under this reason. */
  | { readonly kind: "discard"; readonly reason: "consentOff" | "keyRefused" }
  /** Some tenants stopped sharing: drop their queued interactions (`mayGo`). */
  | { readonly kind: "sweep" }
  /** Sending may be possible again. */
  | { readonly kind: "resume" };

/** Under which tenants' states a batch went out (service keys), to weigh the answer against. */
export type SentUnder = ReadonlyMap<string, TenantEntry | undefined> | null;

/**
 * The client's view of sharing, the same for a tenant key (one tenant's state) and a service
 * key (every tenant's): what `capture()` admits, when a batch may go, what an answer teaches.
 */
export interface CaptureGate {
  /** `subject`: the end user's id, checked against the tenant's excluded subjects. */
  admit(tenant: string | undefined, feature: string, subject?: string): Admission;
  canSend(): boolean;
  /** Per-item check of queued interactions; null with a tenant key (one state for the whole queue). */
  readonly mayGo: MayGo | null;
  sentUnder(items: readonly ReadyItem[]): SentUnder;
  answered(answer: IngestAnswer, under: SentUnder): void;
  keyRefused(): void;
  onChange(listener: (c: GateChange) => void): () => void;
  /** `isSharing(tenant)`: known on (with a tenant key, `tenant` is ignored). */
  sharingOf(tenant: string | undefined, feature?: string): SharingValue;
  /**
   * The subject is excluded, as far as this process knows (with a service key, by `tenant`:
   * false without one).
   */
  excludes(subject: string, tenant?: string): boolean;
  onTenantChange(listener: (tenant: string, sharing: "on" | "off") => void): () => void;
  readonly snapshot: SharingSnapshot;
  onSnapshot(listener: (s: SharingSnapshot) => void): () => void;
  ready(timeoutMs: number): Promise<SharingSnapshot>;
  close(): void;
}

/** One tenant's state, from a tenant key's stream (the SDK's behaviour before service keys). */
export function tenantGate(o: FollowOptions): CaptureGate {
  const w = createSharingWatcher(o);
  return {
    admit(_tenant, feature, subject) {
      const v = w.sharing; // a plain read: capture() runs this for every interaction
      if (v === "on") return w.scopes(feature, subject);
      return v === "unknown" && w.snapshot.keyRefused ? "refused" : v;
    },
    canSend: () => w.canSend(),
    mayGo: null,
    sentUnder: () => null,
    answered(a) {
      if (a.sharing === "off") w.reportOff();
    },
    keyRefused: () => w.reportKeyRefused(),
    onChange: (listener) =>
      w.subscribe((s) => {
        if (s.keyRefused) listener({ kind: "discard", reason: "keyRefused" });
        else if (s.sharing === "off") listener({ kind: "discard", reason: "consentOff" });
        else listener({ kind: "resume" });
      }),
    excludes: (subject) => w.scopes(undefined, subject) === "excluded",
    sharingOf: (_tenant, feature) =>
      w.sharing === "on" && feature !== undefined && w.scopes(feature, undefined) === "off"
        ? "off"
        : w.sharing,
    onTenantChange: (listener) =>
      w.subscribe((s) => {
        if (s.tenant && s.sharing !== "unknown") listener(s.tenant, s.sharing);
      }),
    get snapshot() {
      return w.snapshot;
    },
    onSnapshot: (listener) => w.subscribe(listener),
    ready: (ms) => w.ready(ms),
    close: () => w.close(),
  };
}

/** Every tenant's state, from a service key's one all-tenant stream. */
export function serviceGate(o: FollowOptions): CaptureGate {
  const w = createTenantsWatcher(o);
  const snapshot = (): SharingSnapshot => {
    const t = w.state;
    return {
      sharing: "unknown",
      tenant: null,
      region: null,
      since: null,
      confirmed: t.confirmed,
      keyRefused: t.keyRefused,
      tenants: t,
    };
  };
  const mayGo: MayGo = (tenant, feature) =>
    tenant !== undefined && w.sharingOf(tenant, typeof feature === "string" ? feature : undefined) === "on";
  return {
    admit(tenant, feature, subject) {
      const v = tenant === undefined ? "off" : w.sharingOf(tenant, feature);
      if (v === "on" && subject !== undefined && w.excludes(tenant as string, subject)) return "excluded";
      return v === "unknown" && w.state.keyRefused ? "refused" : v;
    },
    canSend: () => w.canSend(),
    mayGo,
    sentUnder(items) {
      const under = new Map<string, TenantEntry | undefined>();
      for (const r of items) {
        if (r.tenant === undefined || under.has(r.tenant)) continue;
        const e = w.entry(r.tenant);
        under.set(r.tenant, e);
        // The answer names tenants by Assent's id, whichever name the item used.
        if (e) under.set(e.id, e);
      }
      return under;
    },
    answered(a, under) {
      for (const [tenant, t] of Object.entries(a.tenants ?? {})) {
        if (t.sharing === "off" && under?.has(tenant)) w.reportOff(tenant, under.get(tenant));
      }
    },
    keyRefused: () => w.reportKeyRefused(),
    onChange: (listener) =>
      w.subscribe((c: TenantsChange) => {
        const s = w.state;
        if (s.keyRefused) listener({ kind: "discard", reason: "keyRefused" });
        else if (c.kind === "tenant" && c.sharing === "off") listener({ kind: "sweep" });
        else if (c.kind === "snapshot" && s.known) {
          listener({ kind: "sweep" });
          listener({ kind: "resume" });
        } else listener({ kind: "resume" });
      }),
    excludes: (subject, tenant) => tenant !== undefined && w.excludes(tenant, subject),
    sharingOf: (tenant, feature) => (tenant === undefined ? "unknown" : w.sharingOf(tenant, feature)),
    onTenantChange: (listener) =>
      w.subscribe((c) => {
        if (c.kind === "tenant") listener(c.tenant, c.sharing);
      }),
    get snapshot() {
      return snapshot();
    },
    onSnapshot: (listener) =>
      w.subscribe((c) => {
        if (c.kind !== "tenant") listener(snapshot());
      }),
    ready: async (ms) => {
      await w.ready(ms);
      return snapshot();
    },
    close: () => w.close(),
  };
}
