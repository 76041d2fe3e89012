import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeases, newHolderId } from "../src/jobs/leases.js";
import { createJobScheduler, type JobDefinition } from "../src/jobs/scheduler.js";
import { createTestContext, type TestContext } from "./harness.js";

describe("job cadence", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite");
  });
  afterAll(async () => ctx?.close());

  it("runs a job with a minimum interval at most that often on the timer, and always on runOnce", async () => {
    const runs = { every: 0, hourly: 0 };
    const job = (name: "every" | "hourly", minIntervalMs?: number): JobDefinition => ({
      lease: `cadence-${name}`,
      job: name,
      region: null,
      ...(minIntervalMs ? { minIntervalMs } : {}),
      async run() {
        runs[name] += 1;
        return { result: {}, notable: false };
      },
    });
    const scheduler = createJobScheduler({
      leases: createLeases({
        control: ctx.services.stores.control,
        clock: ctx.clock,
        holderId: newHolderId(),
      }),
      clock: ctx.clock,
      intervalSeconds: 1,
      jobs: [job("every"), job("hourly", 3600_000)],
      leaseMs: 60_000,
      firstRunDelayMs: 10,
    });
    scheduler.start();
    const deadline = Date.now() + 10_000;
    while (runs.every < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(runs.every).toBeGreaterThanOrEqual(3);
    expect(runs.hourly).toBe(1);
    // An explicit run (assent jobs run-once) runs it anyway.
    const report = await scheduler.runOnce();
    expect(report.jobs.find((j) => j.job === "hourly")?.status).toBe("done");
    expect(runs.hourly).toBe(2);
    // An hour later the timer runs it again.
    ctx.clock.advance(3600_000);
    const before = runs.every;
    while (runs.every < before + 2 && Date.now() < deadline + 10_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(runs.hourly).toBe(3);
    await scheduler.stop();
  });
});
