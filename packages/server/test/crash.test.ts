import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { parseConfig } from "../src/config.js";
import { openStores, type Stores } from "../src/stores/open.js";
import { createServices } from "../src/wiring.js";
import { item, PASSWORD } from "./fixtures.js";
import { dialects, dropSchemas, storeUrls } from "./harness.js";

/**
 * Issue 16: real `assent serve` processes SIGKILLed during ingest and during a delete-now purge.
 * After a restart every acknowledged interaction is there exactly once, and the interrupted purge
 * finishes by itself (the next job run resumes it). The CLI runs from source (tsx), as cli.test.ts
 * does, so the test exercises the code under test rather than a stale build.
 */
const cliEntry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const TENANT = "crash-co";

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

function startServer(configFile: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ["--conditions=@assent/source", "--import", "tsx", cliEntry, "serve", "--port", "0"],
    {
      env: { ...process.env, ASSENT_CONFIG: configFile },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start: ${err.slice(-2000)}`));
    }, 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Assent is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, child });
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err.slice(-2000)}`));
    });
  });
}

async function kill(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once("exit", r));
  server.child.kill("SIGKILL");
  await exited;
}

/** Polls `check` until it holds or the deadline passes; returns whether it held. */
async function until(check: () => Promise<boolean>, ms: number, every = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return check();
}

describe.each(dialects())("crashes of assent serve on %s", (dialect) => {
  let dir: string;
  let urls: ReturnType<typeof storeUrls>;
  let configFile: string;
  let stores: Stores;
  let ingestionKey: string;
  const servers: Server[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "assent-crash-"));
    urls = storeUrls(dialect, ["us"]);
    const raw = {
      dataDir: dir,
      controlStore: urls.controlStore,
      regions: urls.regions,
      logLevel: "warn",
      // Small purge batches: a purge of a few thousand rows takes hundreds of commits, long enough
      // to be killed half-way; the jobs run every second, so a restarted server resumes it at once.
      jobs: { intervalSeconds: 1, purgeBatchSize: 5 },
    };
    configFile = path.join(dir, "assent.json");
    writeFileSync(configFile, JSON.stringify(raw));
    const services = await createServices(parseConfig(raw));
    try {
      await services.tenants.createTenant({ id: TENANT, name: "Crash Co", region: "us" }, CLI_ACTOR);
      ingestionKey = (await services.tenants.createKey(TENANT, CLI_ACTOR)).key;
      await services.users.createUser(
        { email: "admin@crash.example", password: PASSWORD, roles: ["tenant-admin"], tenantId: TENANT },
        CLI_ACTOR,
      );
    } finally {
      await services.close();
    }
    stores = await openStores(parseConfig(raw));
  });
  afterAll(async () => {
    for (const s of servers) await kill(s);
    await stores?.close();
    await dropSchemas(urls?.schemas ?? []);
    rmSync(dir, { recursive: true, force: true });
  });

  const region = () => stores.regions.get("us")!;
  const start = async () => {
    const s = await startServer(configFile);
    servers.push(s);
    return s;
  };
  async function adminCookie(server: Server): Promise<string> {
    const res = await fetch(`${server.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@crash.example", password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  }
  const tenantApi = (server: Server, cookie: string, url: string, body: unknown) =>
    fetch(`${server.url}${url}`, {
      method: url.endsWith("delete-now") ? "POST" : "PUT",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  let nextId = 0;
  /** Sends batches with client ids from several connections until `stop()`; records what was acknowledged. */
  function sender(server: Server, acked: Set<string>, connections = 3) {
    let stopped = false;
    const loops = Array.from({ length: connections }, async () => {
      while (!stopped) {
        const from = nextId;
        nextId += 50;
        const ids = Array.from({ length: 50 }, (_, i) => `c-${from + i}`);
        try {
          const res = await fetch(`${server.url}/v1/interactions`, {
            method: "POST",
            headers: { authorization: `Bearer ${ingestionKey}`, "content-type": "application/json" },
            body: JSON.stringify({ interactions: ids.map((id) => item({ id })) }),
          });
          if (res.status === 200) {
            const body = (await res.json()) as { accepted: number; duplicates: number };
            if (body.accepted + body.duplicates === ids.length) for (const id of ids) acked.add(id);
          }
        } catch {
          // The server was killed mid-request: this batch was not acknowledged.
        }
      }
    });
    return {
      stop: async () => {
        stopped = true;
        await Promise.all(loops);
      },
    };
  }

  const storedIds = async () =>
    region()
      .db.selectFrom("interactions")
      .select(["client_id"])
      .where("tenant_id", "=", TENANT)
      .execute()
      .then((rows) => rows.map((r) => r.client_id as string));

  it("keeps every acknowledged interaction exactly once across a SIGKILL during ingest", async () => {
    const acked = new Set<string>();
    const first = await start();
    const cookie = await adminCookie(first);
    expect((await tenantApi(first, cookie, "/api/tenant/sharing", { enabled: true })).status).toBe(200);
    const load = sender(first, acked);
    expect(await until(async () => acked.size >= 300, 30_000, 10)).toBe(true);
    await kill(first);
    await load.stop();
    const ackedBeforeKill = acked.size;

    const second = await start();
    const more = sender(second, acked);
    expect(await until(async () => acked.size >= ackedBeforeKill + 300, 30_000, 10)).toBe(true);
    await more.stop();

    const ids = await storedIds();
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect([...acked].filter((id) => !counts.has(id))).toEqual([]);
  });

  it("finishes by itself a delete-now purge killed half-way", async () => {
    // The server restarted by the test above, or a fresh one when it ran alone.
    const live = servers.at(-1);
    const server =
      live && live.child.exitCode === null && live.child.signalCode === null ? live : await start();
    const cookie = await adminCookie(server);
    expect((await tenantApi(server, cookie, "/api/tenant/sharing", { enabled: false })).status).toBe(200);
    const total = (await storedIds()).length;
    expect(total).toBeGreaterThan(500);
    void tenantApi(server, cookie, "/api/tenant/sharing/delete-now", {}).catch(() => {});
    // Kill once the keys are destroyed and some rows are gone, but not all.
    const midway = await until(
      async () => {
        const open = await region()
          .db.selectFrom("deletion_receipts")
          .select(["interactions"])
          .where("tenant_id", "=", TENANT)
          .where("completed_at", "is", null)
          .where("keys_destroyed_at", "is not", null)
          .executeTakeFirst();
        return open !== undefined && Number(open.interactions) > 0;
      },
      30_000,
      2,
    );
    await kill(server);
    expect(midway).toBe(true);
    const left = (await storedIds()).length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(total);
    const period = () =>
      region()
        .db.selectFrom("sharing_periods")
        .selectAll()
        .where("tenant_id", "=", TENANT)
        .executeTakeFirstOrThrow();
    expect((await period()).deleted_at).toBeNull();

    // Nobody asks again: the restarted server's jobs resume the purge and complete its receipt.
    const restarted = await start();
    expect(await until(async () => (await period()).deleted_at !== null, 60_000, 100)).toBe(true);
    expect(await storedIds()).toEqual([]);
    const receipts = await region()
      .db.selectFrom("deletion_receipts")
      .selectAll()
      .where("tenant_id", "=", TENANT)
      .execute();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ kind: "delete-now" });
    expect(Number(receipts[0]!.interactions)).toBe(total);
    expect(receipts[0]!.completed_at).not.toBeNull();
    const keys = await region()
      .db.selectFrom("data_keys")
      .select("id")
      .where("tenant_id", "=", TENANT)
      .execute();
    expect(keys).toEqual([]);
    await kill(restarted);
  });
});
