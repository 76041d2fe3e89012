import type { Clock } from "../clock.js";
import type { Leases } from "./leases.js";

/** What a job may call between units of work: renews its lease, or stops it (lost lease, shutdown). */
export interface JobContext {
  checkpoint(): Promise<void>;
}

export interface JobOutcome {
  /** What the job did, as JSON-able metadata (never content). */
  readonly result: object;
  /** Whether the run did something worth an info log line; quiet runs log at debug. */
  readonly notable: boolean;
}

export interface JobDefinition {
  /** The lease name: one holder at a time runs it, across every process on the same stores. */
  readonly lease: string;
  readonly job: string;
  readonly region: string | null;
  /**
   * On the timer, run at most this often (in this process); `runOnce` always runs. Lets a job
   * whose every run leaves a receipt (the retention sweep) keep a coarser cadence.
   */
  readonly minIntervalMs?: number;
  run(ctx: JobContext): Promise<JobOutcome>;
}

export type JobStatus = "done" | "skipped" | "interrupted" | "failed";

export interface JobReport {
  readonly job: string;
  readonly region: string | null;
  readonly status: JobStatus;
  /** Why it was skipped, interrupted or failed (never content). */
  readonly reason: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly result: object | null;
}

export interface RunReport {
  /** The lease holder id of the process that ran. */
  readonly holder: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly jobs: JobReport[];
}

/** The subset of a pino logger the scheduler writes to. */
export interface JobLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JobScheduler {
  /** Runs every job once now (each under its lease) and reports what happened. */
  runOnce(): Promise<RunReport>;
  /** Runs the jobs every interval until stop(); the first run starts shortly after. */
  start(log?: JobLog): void;
  /** Stops the timer and interrupts a run in flight between two batches; waits for it. Final. */
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  readonly leases: Leases;
  readonly clock: Clock;
  readonly intervalSeconds: number;
  readonly jobs: readonly JobDefinition[];
  /** How long a lease lasts without renewal; a job renews it after every batch. */
  readonly leaseMs: number;
  /** Delay before the first run after start(), in ms. */
  readonly firstRunDelayMs?: number;
}

class JobStopped extends Error {}

export function createJobScheduler(deps: SchedulerDeps): JobScheduler {
  const iso = () => new Date(deps.clock.now()).toISOString();
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<unknown> | null = null;
  let stopping = false;
  let log: JobLog | null = null;
  const lastDone = new Map<string, number>();

  async function runJob(
    def: JobDefinition,
    scheduled: boolean,
  ): Promise<{ report: JobReport; notable: boolean }> {
    const startedAt = iso();
    const done = (status: JobStatus, reason: string | null, outcome: JobOutcome | null) => ({
      report: {
        job: def.job,
        region: def.region,
        status,
        reason,
        startedAt,
        finishedAt: iso(),
        result: outcome?.result ?? null,
      },
      notable: status !== "skipped" && (status !== "done" || (outcome?.notable ?? false)),
    });
    if (stopping) return done("skipped", "shutting down", null);
    const last = lastDone.get(def.lease);
    if (scheduled && def.minIntervalMs && last !== undefined && deps.clock.now() - last < def.minIntervalMs) {
      return done("skipped", `ran less than ${Math.round(def.minIntervalMs / 60_000)} minutes ago`, null);
    }
    if (!(await deps.leases.acquire(def.lease, deps.leaseMs))) {
      const held = await deps.leases.holder(def.lease);
      const by = held ? `${held.holder} until ${new Date(held.expiresAt).toISOString()}` : "another process";
      return done("skipped", `lease ${def.lease} is held by ${by}`, null);
    }
    // Heartbeat: the lease is renewed while the job runs, even through a long batch, so a short
    // lease never lapses under a live runner; a dead runner's lease lapses within leaseMs.
    let lost = false;
    const heartbeat = setInterval(
      () => {
        deps.leases.renew(def.lease, deps.leaseMs).then(
          (ok) => {
            if (!ok) lost = true;
          },
          () => {},
        );
      },
      Math.max(1000, Math.floor(deps.leaseMs / 3)),
    );
    heartbeat.unref();
    const ctx: JobContext = {
      async checkpoint() {
        if (stopping) throw new JobStopped("stopped for shutdown; the next run resumes where it stopped");
        if (lost || !(await deps.leases.renew(def.lease, deps.leaseMs))) {
          throw new JobStopped(`lease ${def.lease} was lost; its new holder does the rest`);
        }
      },
    };
    try {
      const outcome = await def.run(ctx);
      lastDone.set(def.lease, deps.clock.now());
      return done("done", null, outcome);
    } catch (err) {
      if (err instanceof JobStopped) return done("interrupted", err.message, null);
      return done("failed", (err as Error).message, null);
    } finally {
      clearInterval(heartbeat);
      await deps.leases.release(def.lease).catch(() => {});
    }
  }

  async function runAll(scheduled: boolean): Promise<RunReport> {
    const startedAt = iso();
    const jobs: JobReport[] = [];
    // One job after another: purges are I/O-bound and small machines have few cores.
    for (const def of deps.jobs) {
      const { report, notable } = await runJob(def, scheduled);
      jobs.push(report);
      const fields = { job: report.job, region: report.region, status: report.status, reason: report.reason };
      if (report.status === "failed") log?.error(fields, "job failed");
      else if (notable) log?.info({ ...fields, result: report.result }, "job ran");
      else log?.debug(fields, "job ran");
    }
    return { holder: deps.leases.self, startedAt, finishedAt: iso(), jobs };
  }

  /** Runs one after another in this process; the leases keep other processes apart. */
  function enqueue(scheduled: boolean): Promise<RunReport> {
    const run = (inFlight ?? Promise.resolve()).catch(() => {}).then(() => runAll(scheduled));
    inFlight = run;
    void run
      .catch(() => {})
      .finally(() => {
        if (inFlight === run) inFlight = null;
      });
    return run;
  }

  const schedule = (delayMs: number) => {
    if (stopping) return;
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  };

  async function tick(): Promise<void> {
    timer = null;
    try {
      await enqueue(true);
    } catch (err) {
      log?.error({ err: (err as Error).message }, "job run failed");
    }
    schedule(deps.intervalSeconds * 1000);
  }

  return {
    runOnce: () => enqueue(false),
    start(l) {
      if (timer || stopping) return;
      log = l ?? null;
      schedule(deps.firstRunDelayMs ?? 1000);
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight?.catch(() => {});
    },
  };
}
