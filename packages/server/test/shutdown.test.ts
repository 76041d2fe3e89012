import { afterAll, describe, expect, it } from "vitest";
import { createShutdown } from "../src/shutdown.js";
import { type ServeProcess, startServe } from "./serve-process.js";

/** A shutdown whose steps are given; records the exit codes instead of exiting. */
function harness(steps: Array<() => Promise<void>>, deadlineMs = 200) {
  const exits: number[] = [];
  let run: (signal: string) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    const shutdown = createShutdown({
      steps,
      deadlineMs,
      exit: (code) => {
        exits.push(code);
        resolve(code);
      },
      log: () => {},
    });
    run = shutdown;
  });
  return { exits, exited, signal: (s: string) => run(s) };
}

const never = () => new Promise<void>(() => {});

describe("shutdown", () => {
  it("runs every step in order, then exits 0", async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(name);
    };
    const h = harness([step("jobs"), step("http"), step("stores")]);
    h.signal("SIGTERM");
    expect(await h.exited).toBe(0);
    expect(order).toEqual(["jobs", "http", "stores"]);
  });

  it("exits 1 at the deadline when a step never finishes", async () => {
    const h = harness([never], 100);
    const started = Date.now();
    h.signal("SIGTERM");
    expect(await h.exited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("exits at once on a second signal", async () => {
    const h = harness([never], 60_000);
    h.signal("SIGTERM");
    h.signal("SIGINT");
    expect(await h.exited).toBe(1);
    expect(h.exits).toEqual([1]);
  });
});

describe("assent serve on SIGTERM with its log pipe full, then closed by its reader", () => {
  let server: ServeProcess | undefined;
  afterAll(async () => server?.stop());

  it("still exits, within the deadline", async () => {
    server = await startServe({ config: { shutdownDeadlineSeconds: 5 } });
    const s = server;
    // The reader stops reading: the pipe fills with request log lines.
    s.child.stdout?.pause();
    const hit = () =>
      fetch(`${s.url}/api/program`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status,
        () => 0,
      );
    let answered = 0;
    for (let round = 0; round < 12; round++) {
      const statuses = await Promise.all(Array.from({ length: 50 }, hit));
      // 401 (not signed in) is an answer, logged like any other.
      answered += statuses.filter((x) => x === 401).length;
    }
    // The service kept answering although nobody reads its log.
    expect(answered).toBe(600);
    s.child.kill("SIGTERM");
    s.child.stdout?.destroy();
    const code = await Promise.race([
      s.exited,
      new Promise((r) => setTimeout(() => r("still running"), 15_000)),
    ]);
    expect(code).toBe(0);
  }, 60_000);
});
