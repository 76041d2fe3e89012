/**
 * Overload: 512 connections posting maximum-size bodies (about 8 MiB: 8 items of ~1 MiB) to a real
 * `assent serve` for 30 s (OVERLOAD_SECONDS), the connections spread over OVERLOAD_CLIENTS client
 * processes (client.ts). Side by side in one run: the ingest budget with its defaults, with the
 * event-loop bound (`ingest.maxLoopUtilization`, OVERLOAD_LOOP_PERCENT), and effectively off; with
 * the budget on, once with clients that wait out Retry-After as the SDK does and once with
 * clients that ignore it. Reports the server's peak RSS (VmHWM), the share of 429/503 answers,
 * the p99 and the slowest of the answers taken (200), the slowest answer of all, socket errors.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { loadConfig } from "../../packages/server/src/config.js";
import { createServices } from "../../packages/server/src/wiring.js";
import { fmt, freePort, machine, table } from "../common.js";
import type { Answer, ClientReport } from "./client.js";

const SECONDS = Number(process.env.OVERLOAD_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.OVERLOAD_CONNECTIONS ?? 512);
const CLIENTS = Number(process.env.OVERLOAD_CLIENTS ?? 4);
const bin = fileURLToPath(new URL("../../packages/server/bin/assent.js", import.meta.url));
const clientScript = fileURLToPath(new URL("./client.ts", import.meta.url));

interface LoadResult {
  readonly answers: Answer[];
  /** Connections reset or closed before an answer, and answers slower than 60 s. */
  readonly errors: number;
  readonly loopDelayMaxMs: number;
}

/**
 * CONNECTIONS connections spread over CLIENTS client processes (client.ts), so the client's own
 * event loop is not what limits the run; each process posts one shared body buffer back to back.
 */
async function load(port: number, key: string, honourRetryAfter: boolean): Promise<LoadResult> {
  const per = Math.ceil(CONNECTIONS / CLIENTS);
  const reports = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => {
      const connections = Math.min(per, CONNECTIONS - i * per);
      const args = JSON.stringify({ port, key, connections, seconds: SECONDS, honourRetryAfter });
      return new Promise<ClientReport>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", clientScript, args], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
        });
        child.once("exit", (code) =>
          code === 0 ? resolve(JSON.parse(out) as ClientReport) : reject(new Error(`client exited ${code}`)),
        );
      });
    }),
  );
  return {
    answers: reports.flatMap((r) => r.answers),
    errors: reports.reduce((n, r) => n + r.errors, 0),
    loopDelayMaxMs: Math.max(...reports.map((r) => r.loopDelayMaxMs)),
  };
}

interface Outcome {
  readonly label: string;
  readonly answers: number;
  readonly taken: number;
  readonly refused: number;
  readonly other: number;
  readonly errors: number;
  readonly p99Taken: number;
  readonly maxTaken: number;
  readonly maxAll: number;
  readonly peakRssMb: number;
}

async function run(
  label: string,
  ingest: Record<string, number>,
  honourRetryAfter: boolean,
): Promise<Outcome> {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-overload-"));
  const port = await freePort();
  const configFile = path.join(dir, "assent.json");
  writeFileSync(
    configFile,
    JSON.stringify({ logLevel: "warn", ingest: { rateLimitPerMinute: 0, ...ingest } }),
  );
  const env = {
    ...process.env,
    ASSENT_DATA_DIR: dir,
    ASSENT_PORT: String(port),
    ASSENT_CONFIG: configFile,
  };
  const services = await createServices(loadConfig(env));
  const tenant = await services.tenants.createTenant({ name: "Overload", region: "us" }, CLI_ACTOR);
  const { key } = await services.tenants.createKey(tenant.id, CLI_ACTOR);
  await services.consent.setSharing({ id: tenant.id, region: "us" }, true, CLI_ACTOR);
  await services.close();
  const child = spawn(process.execPath, [bin, "serve"], { env, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("Assent is running")) resolve();
    });
    child.once("exit", () => reject(new Error(`serve exited: ${out}`)));
  });
  child.stdout.resume();
  const result = await load(port, key, honourRetryAfter);
  const latencies = result.answers.filter((a) => a.status === 200).map((a) => a.ms);
  const maxAll = Math.max(0, ...result.answers.map((a) => a.ms));
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
  const count = (c: number) => result.answers.filter((a) => a.status === c).length;
  const answers = result.answers.length;
  latencies.sort((a, b) => a - b);
  return {
    label,
    answers,
    taken: count(200),
    refused: count(429) + count(503),
    other: answers - count(200) - count(429) - count(503),
    errors: result.errors,
    p99Taken: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    maxTaken: latencies.at(-1) ?? 0,
    maxAll,
    peakRssMb: peakKb / 1024,
  };
}

const sdkLike = "clients wait out Retry-After (as the SDK)";
const hammering = "clients ignore Retry-After";
const LOOP = Number(process.env.OVERLOAD_LOOP_PERCENT ?? 70);
const loopBound = { maxLoopUtilization: LOOP };
const outcomes = [
  await run(`budget on (defaults), ${sdkLike}`, {}, true),
  await run(`budget on (defaults), ${hammering}`, {}, false),
  await run(`budget on + loop bound ${LOOP} %, ${sdkLike}`, loopBound, true),
  await run(`budget on + loop bound ${LOOP} %, ${hammering}`, loopBound, false),
  await run(
    "budget off (100,000 requests, 4 GiB; nothing refused)",
    { maxInFlightRequests: 100_000, maxInFlightBytes: 4 * 1024 ** 3 },
    false,
  ),
];
process.stdout.write(
  `${machine()}; ${CONNECTIONS} connections × ~8 MiB bodies for ${SECONDS} s, ${CLIENTS} client processes; ` +
    "an answer's time runs from the request getting its socket (a new connection still connecting) to the answer's last byte\n\n",
);
process.stdout.write(
  `${table(
    [
      "ingest budget, clients",
      "answers",
      "taken (200)",
      "429/503",
      "other",
      "socket errors/timeouts",
      "p99 taken",
      "slowest taken",
      "slowest answer",
      "server peak RSS",
    ],
    outcomes.map((o) => [
      o.label,
      fmt(o.answers),
      fmt(o.taken),
      `${fmt(o.refused)} (${fmt((100 * o.refused) / Math.max(1, o.answers), 1)} %)`,
      fmt(o.other),
      fmt(o.errors),
      `${fmt(o.p99Taken)} ms`,
      `${fmt(o.maxTaken)} ms`,
      `${fmt(o.maxAll)} ms`,
      `${fmt(o.peakRssMb)} MB`,
    ]),
  )}\n\n`,
);
for (const o of outcomes.slice(0, 4)) {
  const met = o.peakRssMb < 400 && o.maxAll <= 5000;
  process.stdout.write(
    `${o.label}: target (peak RSS < 400 MB, no answer slower than 5 s) ${met ? "met" : "missed"}\n`,
  );
}
if (!outcomes.slice(0, 4).some((o) => o.peakRssMb < 400 && o.maxAll <= 5000)) process.exitCode = 1;
