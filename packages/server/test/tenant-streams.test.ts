import { describe, expect, it } from "vitest";
import { createTenantStreams } from "../src/modules/consent/tenant-streams.js";
import type { SharingState } from "../src/modules/consent/types.js";

const tenant = { id: "t1", region: "us" };
const state = (version: number): SharingState => ({
  tenantId: "t1",
  region: "us",
  sharing: version % 2 === 0 ? "off" : "on",
  since: version,
  periodId: null,
  version,
  features: null,
});
const settle = () => new Promise((r) => setTimeout(r, 10));

/** The per-tenant fan-out: one subscription per tenant, one Buffer per state, versions in order. */
describe("tenant streams", () => {
  const setup = () => {
    const listeners = new Set<(s: SharingState) => void>();
    let subscriptions = 0;
    const made: number[] = [];
    let reads = 0;
    const streams = createTenantStreams({
      read: async () => {
        reads += 1;
        await settle();
        return state(reads);
      },
      subscribe: (_t, listener) => {
        subscriptions += 1;
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      event: async (s) => {
        made.push(s.version);
        return Buffer.from(`v${s.version}`);
      },
    });
    const publish = (s: SharingState) => {
      for (const l of listeners) l(s);
    };
    const client = () => {
      const got: Buffer[] = [];
      return {
        got,
        versions: () => got.map((b) => b.toString()),
        send: (e: string | Buffer) => got.push(e as Buffer),
      };
    };
    return {
      streams,
      publish,
      client,
      listeners,
      made,
      subscriptions: () => subscriptions,
      reads: () => reads,
    };
  };

  it("subscribes once per tenant and writes each state's one Buffer to every stream", async () => {
    const s = setup();
    const clients = Array.from({ length: 50 }, () => s.client());
    for (const c of clients) s.streams.join(tenant, state(1), c);
    await settle();
    s.publish(state(2));
    await settle();
    expect(s.subscriptions()).toBe(1);
    for (const c of clients) expect(c.versions()).toEqual(["v1", "v2"]);
    const sent = clients.map((c) => c.got[1]);
    expect(new Set(sent).size).toBe(1); // the same Buffer, not a copy per stream
    expect(s.made.filter((v) => v === 2)).toEqual([2]);
  });

  it("starts a later stream at its own state and never sends it an older one", async () => {
    const s = setup();
    const first = s.client();
    s.streams.join(tenant, state(1), first);
    await settle();
    const later = s.client();
    s.streams.join(tenant, state(3), later); // read after changes 2 and 3, not yet announced here
    s.publish(state(2));
    s.publish(state(3));
    s.publish(state(4));
    await settle();
    expect(first.versions()).toEqual(["v1", "v2", "v3", "v4"]);
    expect(later.versions()).toEqual(["v3", "v4"]);
  });

  it("gives a stream whose state was read before a change the tenant's streams already had that change", async () => {
    const s = setup();
    const first = s.client();
    s.streams.join(tenant, state(1), first);
    s.publish(state(2));
    await settle();
    const stale = s.client();
    s.streams.join(tenant, state(1), stale); // its read began before change 2 was announced
    await settle();
    expect(stale.versions()).toEqual(["v1", "v2"]);
    expect(first.versions()).toEqual(["v1", "v2"]);
  });

  it("shares one read among streams opening at once, and reads again for a later one", async () => {
    const s = setup();
    const states = await Promise.all(Array.from({ length: 20 }, () => s.streams.state(tenant)));
    expect(s.reads()).toBe(1);
    expect(new Set(states).size).toBe(1);
    await s.streams.state(tenant);
    expect(s.reads()).toBe(2);
  });

  it("ends the tenant's subscription with its last stream, and stops writing to streams that left", async () => {
    const s = setup();
    const a = s.client();
    const b = s.client();
    const leaveA = s.streams.join(tenant, state(1), a);
    const leaveB = s.streams.join(tenant, state(1), b);
    await settle();
    leaveA();
    s.publish(state(2));
    await settle();
    expect(a.versions()).toEqual(["v1"]);
    expect(b.versions()).toEqual(["v1", "v2"]);
    expect(s.streams.groups()).toBe(1);
    leaveB();
    expect(s.streams.groups()).toBe(0);
    expect(s.listeners.size).toBe(0);
  });
});
