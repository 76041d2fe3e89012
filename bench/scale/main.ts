/**
 * Scale-out on PostgreSQL (issue 10, ADR 0010), with real `assent serve` processes:
 *
 * 1. CPU-seconds per 10,000 interactions, server and database apart (utime+stime from /proc of
 *    the server processes and of the postgres backends serving them), PostgreSQL next to SQLite.
 * 2. One vs two processes on PostgreSQL: the same load, sent to one or split over two.
 * 3. Cross-process propagation: a stream on process B, 20 toggles committed elsewhere.
 * 4. Idle streams on one process: change-to-last-stream p99, idle CPU, store reads while idle, RSS.
 *
 * Needs BENCH_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test) on the same machine (for /proc).
 * Sizes: BENCH_INTERACTIONS (default 40,000), BENCH_STREAMS (default 10,000), BENCH_TOGGLES (20).
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import pg from "pg";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { loadConfig } from "../../packages/server/src/config.js";
import { createServices, type Services } from "../../packages/server/src/wiring.js";
import { type ServeProcess, startServe } from "../../packages/server/test/serve-process.js";
import { batch, fmt, machine, table } from "../common.js";

const PG_URL = process.env.BENCH_PG_URL;
const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 40_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const TOGGLES = Number(process.env.BENCH_TOGGLES ?? 20);
const BATCH = 200;
const CONCURRENCY = 8;
const TICK = 100; // clock ticks per second (getconf CLK_TCK)

const cpuOf = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
};
/**
 * The database's CPU for this benchmark only: the backends serving its processes' connections
 * (tagged with PGAPPNAME, as the machine's database also serves others), sampled while the load
 * runs so backends opened meanwhile count too. The shared WAL writer and checkpointer are left out.
 */
const APP_NAME = `assent-bench-scale-${process.pid}`;
async function backendCpu(run: () => Promise<number>): Promise<{ rate: number; cpu: number }> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const start = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async () => {
    const r = await c.query<{ pid: number }>("select pid from pg_stat_activity where application_name = $1", [
      APP_NAME,
    ]);
    for (const { pid } of r.rows) {
      if (!start.has(pid)) start.set(pid, cpuOf(pid));
      last.set(pid, cpuOf(pid));
    }
  };
  await sample();
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sleep(200);
      await sample();
    }
  })();
  const rate = await run();
  running = false;
  await sampler;
  await sample();
  await c.end();
  let cpu = 0;
  for (const [pid, s0] of start) cpu += (last.get(pid) ?? s0) - s0;
  return { rate, cpu };
}
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Deployment {
  readonly env: NodeJS.ProcessEnv;
  readonly schemas: string[];
  readonly services: Services;
  readonly tenant: { id: string; region: string };
  readonly key: string;
}

async function deployment(dialect: "sqlite" | "postgres", name: string): Promise<Deployment> {
  const prefix = `bench_scale_${process.pid}_${name}`;
  const url = (s: string) => `${PG_URL}${PG_URL?.includes("?") ? "&" : "?"}schema=${prefix}_${s}`;
  const env: NodeJS.ProcessEnv = {
    PGAPPNAME: APP_NAME,
    ASSENT_MASTER_KEY: randomBytes(32).toString("base64"),
    ASSENT_LOG_LEVEL: "warn",
    ...(dialect === "postgres"
      ? { ASSENT_CONTROL_STORE: url("control"), ASSENT_REGIONS: JSON.stringify({ us: url("us") }) }
      : {}),
  };
  const services = await createServices(
    loadConfig({ ...process.env, ...env, ASSENT_DATA_DIR: mkdtempSync("/tmp/assent-bench-scale-") }),
  );
  const tenant = await services.tenants.createTenant({ name: "bench", region: "us" }, CLI_ACTOR);
  const { key } = await services.tenants.createKey(tenant.id, CLI_ACTOR);
  await services.consent.setSharing(tenant, true, CLI_ACTOR);
  return {
    env,
    schemas: dialect === "postgres" ? ["control", "us"].map((s) => `${prefix}_${s}`) : [],
    services,
    tenant,
    key,
  };
}

const serve = (d: Deployment) =>
  startServe({
    tenant: false,
    built: true,
    env: d.env,
    // Jobs off (a day apart): their reads are not the streams' and would blur "no reads while idle".
    config: { ingest: { rateLimitPerMinute: 10_000_000 }, jobs: { intervalSeconds: 86_400 } },
  });

async function send(targets: ServeProcess[], key: string, total: number): Promise<number> {
  const body = JSON.stringify(batch(BATCH));
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const target = targets[w % targets.length] as ServeProcess;
      while (sent < total) {
        sent += BATCH;
        const res = await fetch(`${target.url}/v1/interactions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body,
        });
        if (res.status !== 200) throw new Error(`capture answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  return (total / (performance.now() - t0)) * 1000;
}

/** Interactions/s and CPU seconds per 10,000 (server, database) for `targets`. */
async function ingest(targets: ServeProcess[], key: string) {
  await send(targets, key, BATCH * CONCURRENCY); // warm-up
  const s0 = targets.map((t) => cpuOf(t.child.pid as number));
  const { rate, cpu: database } = await backendCpu(() => send(targets, key, INTERACTIONS));
  const server = targets.reduce((a, t, i) => a + cpuOf(t.child.pid as number) - (s0[i] as number), 0);
  const per = 10_000 / INTERACTIONS;
  return { rate, server: server * per, database: database * per };
}

/** SSE clients that count `sharing` events; resolves once every stream has its first event. */
function openStreams(url: string, key: string, n: number) {
  const counts = new Array<number>(n).fill(0);
  const waiters: { need: number; resolve: (t: number) => void }[] = [];
  // How many streams have had at least k events, kept as events arrive (no scan per event).
  const reached: number[] = [];
  let atLeast = (k: number) => (reached[k] ?? 0) >= n;
  const requests: http.ClientRequest[] = [];
  const opened = Promise.all(
    counts.map(
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const req = http.get(
            `${url}/v1/sharing/stream`,
            { headers: { authorization: `Bearer ${key}` }, agent: false },
            (res) => {
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => {
                const events = chunk.split("event: sharing").length - 1;
                if (events === 0) return;
                for (let e = 1; e <= events; e++) {
                  const k = (counts[i] as number) + e;
                  reached[k] = (reached[k] ?? 0) + 1;
                }
                counts[i] = (counts[i] as number) + events;
                if (counts[i] === 1) resolve();
                for (const w of [...waiters])
                  if (atLeast(w.need)) {
                    waiters.splice(waiters.indexOf(w), 1);
                    w.resolve(performance.now());
                  }
              });
            },
          );
          req.on("error", reject);
          requests.push(req);
        }),
    ),
  );
  return {
    opened,
    /** Resolves with the time the last stream got its `k`-th event. */
    all: (k: number) =>
      new Promise<number>((resolve) =>
        atLeast(k) ? resolve(performance.now()) : waiters.push({ need: k, resolve }),
      ),
    close: () => {
      for (const r of requests) r.destroy();
      atLeast = () => true;
    },
  };
}

async function storeReads(schemas: string[]): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const r = await c.query<{ n: string }>(
    "select coalesce(sum(coalesce(seq_scan,0) + coalesce(idx_scan,0) + n_tup_ins + n_tup_upd),0) as n from pg_stat_user_tables where schemaname = any($1)",
    [schemas],
  );
  await c.end();
  return Number(r.rows[0]?.n ?? 0);
}

async function main() {
  if (!PG_URL) throw new Error("set BENCH_PG_URL");
  console.log(
    `Machine: ${machine()}; ${fmt(INTERACTIONS)} interactions in batches of ${BATCH}, ${CONCURRENCY} in flight.\n`,
  );
  const sqliteDir = mkdtempSync("/tmp/assent-bench-scale-");
  const liteEnv = { ASSENT_MASTER_KEY: randomBytes(32).toString("base64"), ASSENT_LOG_LEVEL: "warn" };
  const pgd = await deployment("postgres", "pg");
  const procs: ServeProcess[] = [];
  try {
    // 1 + 2: CPU per 10,000 and one vs two processes, side by side.
    const liteKey = await (async () => {
      const s = await createServices(loadConfig({ ...process.env, ...liteEnv, ASSENT_DATA_DIR: sqliteDir }));
      const t = await s.tenants.createTenant({ name: "bench", region: "us" }, CLI_ACTOR);
      await s.consent.setSharing(t, true, CLI_ACTOR);
      const k = (await s.tenants.createKey(t.id, CLI_ACTOR)).key;
      await s.close();
      return k;
    })();
    const liteProc = await startServe({
      tenant: false,
      built: true,
      env: { ...liteEnv, ASSENT_DATA_DIR: sqliteDir },
      config: { ingest: { rateLimitPerMinute: 10_000_000 } },
    });
    procs.push(liteProc);
    const a = await serve(pgd);
    const b = await serve(pgd);
    procs.push(a, b);
    const sqlite = await ingest([liteProc], liteKey);
    const one = await ingest([a], pgd.key);
    const two = await ingest([a, b], pgd.key);
    console.log(
      table(
        ["setup", "interactions/s", "server CPU-s per 10k", "database CPU-s per 10k", "total CPU-s per 10k"],
        [
          [
            "SQLite, 1 process",
            fmt(sqlite.rate),
            fmt(sqlite.server, 2),
            "(in process)",
            fmt(sqlite.server, 2),
          ],
          [
            "PostgreSQL, 1 process",
            fmt(one.rate),
            fmt(one.server, 2),
            fmt(one.database, 2),
            fmt(one.server + one.database, 2),
          ],
          [
            "PostgreSQL, 2 processes",
            fmt(two.rate),
            fmt(two.server, 2),
            fmt(two.database, 2),
            fmt(two.server + two.database, 2),
          ],
        ],
      ),
    );
    console.log(`\nTwo processes vs one on PostgreSQL: ${fmt(two.rate / one.rate, 2)}×\n`);

    // 3: cross-process propagation, stream on B, toggles committed by this process.
    const prop = openStreams(b.url, pgd.key, 1);
    await prop.opened;
    const delays: number[] = [];
    for (let i = 0; i < TOGGLES; i++) {
      await pgd.services.consent.setSharing(pgd.tenant, i % 2 === 1, CLI_ACTOR);
      const t0 = performance.now();
      delays.push((await prop.all(i + 2)) - t0);
    }
    prop.close();
    console.log(
      table(
        ["cross-process propagation", "p50 ms", "p95 ms", "max ms"],
        [
          [
            `${TOGGLES} toggles`,
            fmt(pct(delays, 50), 1),
            fmt(pct(delays, 95), 1),
            fmt(Math.max(...delays), 1),
          ],
        ],
      ),
    );

    // 4: idle streams on process A (which served the ingest above: its RSS before the streams too).
    const rssBefore = rssMb(a.child.pid as number);
    const many = openStreams(a.url, pgd.key, STREAMS);
    await many.opened;
    // PostgreSQL backends flush their table statistics when idle, up to 10 s late: let the
    // streams' opening reads land before the first reading, and the idle window's before the last.
    const FLUSH_MS = 11_000;
    await sleep(FLUSH_MS);
    const pid = a.child.pid as number;
    const reads0 = await storeReads(pgd.schemas);
    const cpu0 = cpuOf(pid);
    // One heartbeat period (a `: ping` to every stream each 15 s): the idle cost averaged over it.
    const IDLE_S = 15;
    await sleep(IDLE_S * 1000);
    const idleCpu = ((cpuOf(pid) - cpu0) / IDLE_S) * 100;
    await sleep(FLUSH_MS);
    const idleReads = (await storeReads(pgd.schemas)) - reads0;
    const rss = rssMb(pid);
    const last: number[] = [];
    // Toggles continue from the propagation phase's final state: on = (TOGGLES % 2 === 0)… alternate.
    for (let i = 0; i < TOGGLES; i++) {
      await pgd.services.consent.setSharing(pgd.tenant, (TOGGLES + i) % 2 === 1, CLI_ACTOR);
      const t0 = performance.now();
      last.push((await many.all(i + 2)) - t0);
    }
    many.close();
    console.log(
      "\n" +
        table(
          [
            `${fmt(STREAMS)} idle streams, one process`,
            "change → last stream p99 ms",
            "idle CPU % of a core",
            "store reads while idle",
            "RSS MB (before the streams)",
          ],
          [
            [
              "PostgreSQL",
              fmt(pct(last, 99), 1),
              fmt(idleCpu, 2),
              fmt(Math.max(0, idleReads)),
              `${fmt(rss)} (${fmt(rssBefore)})`,
            ],
          ],
        ),
    );
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await pgd.services.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const s of pgd.schemas) await c.query(`drop schema if exists "${s}" cascade`);
    await c.end();
  }
}

await main();
