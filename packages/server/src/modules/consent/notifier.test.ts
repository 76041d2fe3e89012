import { describe, expect, it } from "vitest";
import { createSharingNotifier } from "./notifier.js";
import type { SharingState } from "./types.js";

const tenant = { id: "t1", region: "us" };

describe("the sharing notifier", () => {
  it("sends each subscriber every newer state, whatever version a later subscriber joined with", () => {
    const notifier = createSharingNotifier({ pollMs: 60_000, readStates: async () => [] });
    const older: number[] = [];
    const newer: number[] = [];
    notifier.subscribe(tenant, (s) => older.push(s.version), 1);
    // Joins having read version 3 already: it must not hide 2 and 3 from the first subscriber.
    notifier.subscribe(tenant, (s) => newer.push(s.version), 3);
    const state = (version: number) => ({ tenantId: tenant.id, version }) as unknown as SharingState;
    notifier.publish(state(3));
    notifier.publish(state(2));
    notifier.publish(state(4));
    expect(older).toEqual([3, 4]);
    expect(newer).toEqual([4]);
    notifier.close();
  });
});
