/**
 * Overload: 512 connections posting maximum-size bodies (about 8 MiB: 8 items of ~1 MiB) to a real
 * `assent serve` for 30 s (OVERLOAD_SECONDS), with the ingest budget on (defaults) and, side by
 * side, effectively off. Reports peak RSS (VmHWM), the share of 429/503 answers, the p99 and the
 * slowest of the answers taken (200), and the slowest answer of all.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { loadConfig } from "../../packages/server/src/config.js";
import { createServices } from "../../packages/server/src/wiring.js";
import { fmt, freePort, machine, table } from "../common.js";

const SECONDS = Number(process.env.OVERLOAD_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.OVERLOAD_CONNECTIONS ?? 512);
const bin = fileURLToPath(new URL("../../packages/server/bin/assent.js", import.meta.url));

function maxBody(): string {
  const filler = "x".repeat(1000 * 1024 - 200);
  const items = Array.from({ length: 8 }, (_, i) => ({
    feature: "bench.overload",
    input: `${i} ${filler}`,
    output: null,
  }));
  return JSON.stringify({ interactions: items });
}

interface LoadResult {
  readonly codes: Record<string, number>;
  /** Connections reset or closed before an answer, and answers slower than 60 s. */
  readonly errors: number;
}

/**
 * CONNECTIONS keep-alive connections posting the same body back to back for SECONDS. The body is
 * one shared Buffer (autocannon built one 8 MiB copy per connection, 4 GiB in all, and ran out of
 * heap once the server began closing refused uploads). An answer's time runs from the request's
 * start to the end of its response.
 */
async function load(port: number, key: string, onAnswer: (status: number, ms: number) => void) {
  const body = Buffer.from(maxBody());
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const codes: Record<string, number> = {};
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      let done = false;
      const finish = (status: number | null) => {
        if (done) return;
        done = true;
        if (status === null) errors++;
        else {
          codes[String(status)] = (codes[String(status)] ?? 0) + 1;
          onAnswer(status, performance.now() - t0);
        }
        resolve();
      };
      const t0 = performance.now();
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/v1/interactions",
          method: "POST",
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "content-length": body.length,
          },
        },
        (res) => {
          res.resume();
          res.once("end", () => finish(res.statusCode ?? 0));
          res.once("error", () => finish(null));
        },
      );
      req.setTimeout(60_000, () => req.destroy());
      req.once("error", () => finish(null));
      req.end(body);
    });
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  return { codes, errors } satisfies LoadResult;
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

async function run(label: string, ingest: Record<string, number>): Promise<Outcome> {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-overload-"));
  const port = await freePort();
  const configFile = path.join(dir, "assent.json");
  writeFileSync(
    configFile,
    JSON.stringify({ logLevel: "warn", ingest: { rateLimitPerMinute: 0, ...ingest } }),
  );
  const env = { ...process.env, ASSENT_DATA_DIR: dir, ASSENT_PORT: String(port), ASSENT_CONFIG: configFile };
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
  const latencies: number[] = [];
  let maxAll = 0;
  const result = await load(port, key, (status, ms) => {
    maxAll = Math.max(maxAll, ms);
    if (status === 200) latencies.push(ms);
  });
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
  const codes = result.codes;
  const count = (c: string) => codes[c] ?? 0;
  const answers = Object.values(codes).reduce((n, c) => n + c, 0);
  latencies.sort((a, b) => a - b);
  return {
    label,
    answers,
    taken: count("200"),
    refused: count("429") + count("503"),
    other: answers - count("200") - count("429") - count("503"),
    errors: result.errors,
    p99Taken: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    maxTaken: latencies.at(-1) ?? 0,
    maxAll,
    peakRssMb: peakKb / 1024,
  };
}

const outcomes = [
  await run("budget on (defaults: 64 requests, 64 MiB)", {}),
  await run("budget off (100,000 requests, 4 GiB)", {
    maxInFlightRequests: 100_000,
    maxInFlightBytes: 4 * 1024 ** 3,
  }),
];
process.stdout.write(`${machine()}; ${CONNECTIONS} connections × ~8 MiB bodies for ${SECONDS} s\n\n`);
process.stdout.write(
  `${table(
    [
      "ingest budget",
      "answers",
      "taken (200)",
      "429/503",
      "other",
      "socket errors/timeouts",
      "p99 taken",
      "slowest taken",
      "slowest answer",
      "peak RSS",
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
  )}\n`,
);
const on = outcomes[0];
if (on && (on.peakRssMb > 400 || on.maxAll > 5000)) {
  process.stdout.write(
    "\ntarget missed: peak RSS < 400 MB and no answer slower than 5 s with the budget on\n",
  );
  process.exitCode = 1;
}
