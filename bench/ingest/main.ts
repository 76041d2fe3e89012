/**
 * Ingest throughput: interactions/s through HTTP (a real `assent serve` process running the
 * built server, loaded by autocannon from this process) next to the in-process limit (the same
 * batches validated, gated, encrypted and inserted by the capture service, without HTTP), on
 * SQLite with a durable commit (WAL, synchronous=FULL). The two are measured in alternating
 * rounds and the medians compared, so a noisy neighbour hits both alike.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { parseConfig } from "../../packages/server/src/config.js";
import type { TenantRef } from "../../packages/server/src/modules/consent/types.js";
import { createServices, type Services } from "../../packages/server/src/wiring.js";
import { batch, fmt, freePort, machine, median, table } from "../common.js";

const BATCH = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const builtCli = fileURLToPath(new URL("../../packages/server/bin/assent.js", import.meta.url));
const sourceCli = fileURLToPath(new URL("../../packages/server/src/cli.ts", import.meta.url));

/** A data directory with one `us` tenant whose sharing is on. */
async function prepare(dir: string) {
  const services = await createServices(parseConfig({ dataDir: dir, logLevel: "warn" }));
  try {
    const t = await services.tenants.createTenant({ name: "bench", region: "us" }, CLI_ACTOR);
    await services.consent.setSharing(t, true, CLI_ACTOR);
    const { key } = await services.tenants.createKey(t.id, CLI_ACTOR);
    return { tenant: { id: t.id, region: t.region } as TenantRef, key };
  } finally {
    await services.close();
  }
}

async function inProcessRound(services: Services, tenant: TenantRef, body: unknown): Promise<number> {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    n += (await services.capture.ingestBatch(tenant, body)).accepted;
  }
  return n / ((performance.now() - started) / 1000);
}

function peakRssMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return kb / 1024;
}

async function startServer(dir: string): Promise<{ url: string; server: ChildProcess }> {
  const port = await freePort();
  const env = {
    ...process.env,
    ASSENT_DATA_DIR: dir,
    ASSENT_PORT: String(port),
    ASSENT_LOG_LEVEL: "warn",
    ASSENT_INGEST_RATE_LIMIT_PER_MINUTE: "0",
  };
  const profile = process.env.BENCH_SERVER_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_SERVER_PROFILE}`]
    : [];
  // The built server, as `npm start` runs it; the sources through tsx when not built.
  const entry = existsSync(new URL("../../packages/server/dist/cli.js", import.meta.url))
    ? [builtCli]
    : ["--conditions=@assent/source", "--import", "tsx", sourceCli];
  const server = spawn(process.execPath, [...profile, ...entry, "serve"], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, server };
    } catch {
      if (i > 300) throw new Error("server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
}

const body = batch(BATCH);
const bodyText = JSON.stringify(body);
const limitDir = mkdtempSync(path.join(tmpdir(), "assent-bench-"));
const httpDir = mkdtempSync(path.join(tmpdir(), "assent-bench-"));
const { tenant } = await prepare(limitDir);
const { key } = await prepare(httpDir);
const services = await createServices(parseConfig({ dataDir: limitDir, logLevel: "warn" }));
const { url, server } = await startServer(httpDir);
const load = {
  url: `${url}/v1/interactions`,
  method: "POST" as const,
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: bodyText,
  connections: CONNECTIONS,
};
const limits: number[] = [];
const https: number[] = [];
const p50s: number[] = [];
const p99s: number[] = [];
let errors = 0;
let rss = 0;
try {
  for (let i = 0; i < 10; i++) await services.capture.ingestBatch(tenant, body);
  await autocannon({ ...load, duration: 2 });
  for (let round = 0; round < ROUNDS; round++) {
    limits.push(await inProcessRound(services, tenant, body));
    const r = await autocannon({ ...load, duration: SECONDS });
    https.push((r["2xx"] * BATCH) / r.duration);
    p50s.push(r.latency.p50);
    p99s.push(r.latency.p99);
    errors += r.errors + r.non2xx;
  }
} finally {
  rss = server.pid ? peakRssMb(server.pid) : 0;
  await stopServer(server);
  await services.close();
  rmSync(limitDir, { recursive: true, force: true });
  rmSync(httpDir, { recursive: true, force: true });
}
const limit = median(limits);
const http = median(https);
process.stdout.write(
  `${table(
    [
      "path (SQLite, batches of 200 × ~2 KB)",
      "interactions/s (median)",
      "vs in-process",
      "request p50 / p99",
      "server peak RSS",
    ],
    [
      ["in-process: validate + gate + encrypt + insert", fmt(limit), "1.00", "–", "–"],
      [
        `HTTP: ${CONNECTIONS} connections, ${fmt(Buffer.byteLength(bodyText) / 1024)} KB bodies`,
        fmt(http),
        (http / limit).toFixed(2),
        `${median(p50s)} / ${median(p99s)} ms`,
        `${fmt(rss)} MB`,
      ],
    ],
  )}\n\n${ROUNDS} alternating rounds of ${SECONDS} s; ${errors} errors; rounds in-process ${limits.map((x) => fmt(x)).join(", ")}; HTTP ${https.map((x) => fmt(x)).join(", ")}; ${machine()}\n`,
);
