/**
 * Graceful shutdown with a deadline. The first SIGTERM/SIGINT runs the steps in order (stop the
 * jobs, stop taking requests, close the stores) and exits 0; if they have not finished by the
 * deadline the process exits 1 anyway (in-flight work is abandoned: nothing unacknowledged is
 * lost, as clients retry and client ids make retries idempotent). A second signal exits at once.
 */
export interface ShutdownDeps {
  readonly steps: ReadonlyArray<() => Promise<void>>;
  readonly deadlineMs: number;
  readonly exit: (code: number) => void;
  /** Must never block (see log-destination.ts). */
  readonly log: (message: string) => void;
}

export function createShutdown(deps: ShutdownDeps): (signal: string) => void {
  let started = false;
  return (signal) => {
    if (started) {
      deps.log(`${signal} again: exiting now`);
      deps.exit(1);
      return;
    }
    started = true;
    deps.log(`${signal}: shutting down (deadline ${deps.deadlineMs} ms)`);
    const deadline = setTimeout(() => {
      deps.log("shutdown deadline passed: exiting with work abandoned");
      deps.exit(1);
    }, deps.deadlineMs);
    void (async () => {
      try {
        for (const step of deps.steps) await step();
        clearTimeout(deadline);
        deps.exit(0);
      } catch {
        clearTimeout(deadline);
        deps.log("shutdown step failed: exiting");
        deps.exit(1);
      }
    })();
  };
}
