/**
 * The SDK with a service key against a real server on loopback (in this process, SQLite):
 *  - opt-out propagation with 10,000 tenants and 20 connected service clients (each its own
 *    all-tenant stream): from `PUT /api/tenant/sharing {"enabled": false}` answering to each
 *    client reporting that tenant off (target p99 ≤ 250 ms);
 *  - the all-tenant snapshot (`GET /v1/sharing`, and a new client's stream until it is ready) at
 *    10,000 and at 100,000 tenants, side by side;
 *  - the SDK's memory with 10,000 and 100,000 tenants known (heap growth of one client, after GC).
 * Prints a Markdown table; exits 1 when a target is missed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type AssentClient, createAssentClient } from "../../packages/sdk/src/index.js";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { buildApp } from "../../packages/server/src/app.js";
import { parseConfig } from "../../packages/server/src/config.js";
import { createServices, type Services } from "../../packages/server/src/wiring.js";
import { fmt, machine, median, table } from "../common.js";
import { seedTenants } from "./seed.js";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const BIG = Number(process.env.BENCH_BIG_TENANTS ?? 100_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const TOGGLES = Number(process.env.BENCH_TOGGLES ?? 50);
const PASSWORD = "bench password, long enough";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapAfterGc = () => {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
};
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const f = (n: number, digits = 1) => fmt(n, digits);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: string) {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

interface Deployment {
  readonly services: Services;
  readonly url: string;
  close(): Promise<void>;
}

async function deployment(): Promise<Deployment> {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-bench-tenants-"));
  const services = await createServices(parseConfig({ dataDir: dir, logLevel: "warn" }));
  const app = await buildApp(services, { logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    services,
    url,
    async close() {
      await app.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `GET /v1/sharing` with the service key: body size and time (median of 5). */
async function snapshotOverHttp(d: Deployment, key: string) {
  const times: number[] = [];
  let bytes = 0;
  let listed = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${d.url}/v1/sharing`, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.text();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET /v1/sharing answered ${res.status}`);
    bytes = Buffer.byteLength(body);
    listed = Object.keys((JSON.parse(body) as { tenants: object }).tenants).length;
  }
  return { ms: median(times), bytes, listed };
}

/** A new client of the service key: time until its stream's snapshot is taken, and its heap. */
async function clientCost(d: Deployment, key: string) {
  const times: number[] = [];
  const heaps: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = heapAfterGc();
    const t0 = performance.now();
    const c = createAssentClient({ url: d.url, key });
    const s = await c.ready(60_000);
    times.push(performance.now() - t0);
    if (!s.tenants?.known) throw new Error("the client did not get the snapshot");
    heaps.push(heapAfterGc() - before);
    await c.close(100);
  }
  return { ms: median(times), heap: median(heaps) };
}

async function propagation(d: Deployment, key: string) {
  // Tenants toggled through the admin center, with an admin each; the 10,000 others stay as seeded.
  const toggled: { id: string; cookie: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const t = await d.services.tenants.createTenant(
      { name: `toggled ${i}`, region: i % 2 ? "eu" : "us" },
      CLI_ACTOR,
    );
    const email = `admin${i}@bench.example`;
    await d.services.users.createUser(
      { email, password: PASSWORD, roles: ["tenant-admin"], tenantId: t.id },
      CLI_ACTOR,
    );
    const res = await fetch(`${d.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = /assent_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
    if (!cookie) throw new Error(`sign-in failed: ${res.status}`);
    toggled.push({ id: t.id, cookie });
  }
  const put = async (t: { cookie: string }, enabled: boolean) => {
    const res = await fetch(`${d.url}/api/tenant/sharing`, {
      method: "PUT",
      headers: { "content-type": "application/json", cookie: t.cookie },
      body: JSON.stringify({ enabled }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`PUT sharing answered ${res.status}`);
  };

  const clients: AssentClient[] = Array.from({ length: STREAMS }, () =>
    createAssentClient({ url: d.url, key }),
  );
  try {
    await Promise.all(clients.map((c) => c.ready(60_000)));
    const seenOff = new Array<number>(STREAMS).fill(0);
    let watching = "";
    for (const [i, c] of clients.entries()) {
      c.onTenantSharingChange((tenant, sharing) => {
        if (tenant === watching && sharing === "off") seenOff[i] ||= performance.now();
      });
    }
    const samples: number[] = [];
    for (let n = 0; n < TOGGLES; n++) {
      const t = toggled[n % toggled.length] as { id: string; cookie: string };
      await put(t, true);
      await until(() => clients.every((c) => c.isSharing(t.id)), 5000, "every client to see the opt-in");
      seenOff.fill(0);
      watching = t.id;
      await put(t, false);
      const answered = performance.now();
      await until(() => seenOff.every((x) => x > 0), 5000, "every client to see the opt-out");
      for (const at of seenOff) samples.push(Math.max(0, at - answered));
      await sleep(5);
    }
    return samples.sort((a, b) => a - b);
  } finally {
    await Promise.all(clients.map((c) => c.close(100)));
  }
}

async function main() {
  const rows: (string | number)[][] = [];
  const scale: (string | number)[][] = [];
  let ok = true;

  const small = await deployment();
  let smallSnapshot: Awaited<ReturnType<typeof snapshotOverHttp>>;
  let smallClient: Awaited<ReturnType<typeof clientCost>>;
  try {
    await seedTenants(small.services, { count: TENANTS, regions: ["us", "eu"], shareEvery: 2, prefix: "t" });
    const { key } = await small.services.serviceKeys.create({ name: "bench" }, CLI_ACTOR);
    const samples = await propagation(small, key);
    const p99 = quantile(samples, 0.99);
    ok &&= p99 <= 250;
    rows.push([
      `opt-out: PUT answers → each of ${STREAMS} service clients reports the tenant off (ms; ${fmt(TENANTS)} tenants, ${TOGGLES} toggles)`,
      f(quantile(samples, 0.5)),
      f(p99),
      f(samples.at(-1) ?? Number.NaN),
      "p99 ≤ 250",
      p99 <= 250 ? "✓" : "✗",
    ]);
    smallSnapshot = await snapshotOverHttp(small, key);
    smallClient = await clientCost(small, key);
  } finally {
    await small.close();
  }

  const big = await deployment();
  try {
    await seedTenants(big.services, { count: BIG, regions: ["us", "eu"], shareEvery: 1, prefix: "b" });
    const { key } = await big.services.serviceKeys.create({ name: "bench" }, CLI_ACTOR);
    const bigSnapshot = await snapshotOverHttp(big, key);
    const bigClient = await clientCost(big, key);
    const ratio = (a: number, b: number) => `×${f(a / b, 1)}`;
    const header = (n: number, listed: number) => `${fmt(n)} tenants (${fmt(listed)} sharing)`;
    scale.push(
      ["deployment", header(TENANTS, smallSnapshot.listed), header(BIG, bigSnapshot.listed), "ratio"],
      [
        "GET /v1/sharing with the service key (ms, median of 5)",
        f(smallSnapshot.ms),
        f(bigSnapshot.ms),
        ratio(bigSnapshot.ms, smallSnapshot.ms),
      ],
      [
        "snapshot size, MB (bytes per sharing tenant)",
        `${f(smallSnapshot.bytes / 1e6, 2)} (${fmt(smallSnapshot.bytes / smallSnapshot.listed)})`,
        `${f(bigSnapshot.bytes / 1e6, 2)} (${fmt(bigSnapshot.bytes / bigSnapshot.listed)})`,
        ratio(bigSnapshot.bytes, smallSnapshot.bytes),
      ],
      [
        "new service client: connect → snapshot taken (ready), ms",
        f(smallClient.ms),
        f(bigClient.ms),
        ratio(bigClient.ms, smallClient.ms),
      ],
      [
        "SDK heap of one service client, MB (bytes per tenant known)",
        `${f(smallClient.heap / 1e6, 2)} (${fmt(smallClient.heap / smallSnapshot.listed)})`,
        `${f(bigClient.heap / 1e6, 2)} (${fmt(bigClient.heap / bigSnapshot.listed)})`,
        ratio(bigClient.heap, smallClient.heap),
      ],
    );
  } finally {
    await big.close();
  }
  process.stdout.write(`${table(["measure", "p50", "p99", "max", "target", ""], rows)}\n\n`);
  const [head, ...body] = scale;
  process.stdout.write(`${table((head ?? []).map(String), body)}\n\n`);
  process.stdout.write(`Machine: ${machine()}; server and SDK clients in one process.\n`);
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
