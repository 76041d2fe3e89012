import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createServices } from "../src/wiring.js";
import { assent as run } from "./cli-run.js";
import { dialects, dropSchemas, storeUrls } from "./harness.js";

const cliEntry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
/** The real process: only for the smoke tests (a process start costs seconds on a loaded machine). */
const spawnAssent = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ["--import", "tsx", cliEntry, ...args], { env, encoding: "utf8" });

describe.each(dialects())("the assent command on %s", (dialect) => {
  let dir: string;
  let urls: ReturnType<typeof storeUrls>;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "assent-cli-"));
    urls = storeUrls(dialect, ["us", "eu"]);
    const configFile = path.join(dir, "assent.json");
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: dir, controlStore: urls.controlStore, regions: urls.regions }),
    );
    env = { ...process.env, ASSENT_CONFIG: configFile };
  });
  afterAll(async () => {
    await dropSchemas(urls.schemas);
    rmSync(dir, { recursive: true, force: true });
  });

  const assent = (args: string[], input?: string) => run(args, { env, ...(input ? { input } : {}) });

  it("creates a tenant, a key and a tenant admin that work against the service", async () => {
    const tenant = await assent(["tenant", "create", "--name", "ACME", "--region", "eu", "--id", "acme"]);
    expect(tenant.stderr).toBe("");
    expect(tenant.status).toBe(0);
    expect(JSON.parse(tenant.stdout)).toMatchObject({ id: "acme", name: "ACME", region: "eu" });

    const key = await assent(["key", "create", "--tenant", "acme"]);
    expect(key.status).toBe(0);
    const { key: secret } = JSON.parse(key.stdout) as { key: string };
    expect(secret).toMatch(/^ask_/);
    const service = await assent(["key", "create", "--service", "copilot", "--regions", "eu"]);
    expect(service.status).toBe(0);
    const { key: serviceSecret } = JSON.parse(service.stdout) as { key: string };
    expect(serviceSecret).toMatch(/^assk_/);

    const user = await assent(
      ["user", "create", "--email", "admin@acme.example", "--role", "tenant-admin", "--tenant", "acme"],
      "a long enough password\n",
    );
    expect(user.status).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({
      email: "admin@acme.example",
      roles: ["tenant-admin"],
      tenantId: "acme",
    });

    const services = await createServices(
      parseConfig({ dataDir: dir, controlStore: urls.controlStore, regions: urls.regions }),
    );
    const app = await buildApp(services, { logger: false });
    try {
      const sharing = await app.inject({
        method: "GET",
        url: "/v1/sharing",
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(sharing.json()).toMatchObject({ tenant: "acme", sharing: "off", region: "eu" });
      const all = await app.inject({
        method: "GET",
        url: "/v1/sharing",
        headers: { authorization: `Bearer ${serviceSecret}` },
      });
      expect(all.statusCode).toBe(200);
      expect(all.json()).toMatchObject({ tenants: {}, cursor: "eu:0" });
      const signIn = await app.inject({
        method: "POST",
        url: "/api/session",
        payload: { email: "admin@acme.example", password: "a long enough password" },
      });
      expect(signIn.statusCode).toBe(200);
    } finally {
      await app.close();
      await services.close();
    }

    const verify = await assent(["audit", "verify"]);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout).ok).toBe(true);
  });

  it("refuses bad input with a clear message and a non-zero exit", async () => {
    const region = await assent(["tenant", "create", "--name", "X", "--region", "mars"]);
    expect(region.status).not.toBe(0);
    expect(region.stderr).toMatch(/region "mars" is not configured/);
    const missing = await assent(["tenant", "create", "--region", "us"]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/--name/);
    const role = await assent(
      ["user", "create", "--email", "x@y.z", "--role", "king"],
      "a long enough password\n",
    );
    expect(role.status).not.toBe(0);
    expect(role.stderr).toMatch(/unknown role "king"/);
    const weak = await assent(["user", "create", "--email", "x@y.z", "--role", "reviewer"], "short\n");
    expect(weak.stderr).toMatch(/at least 12 characters/);
    const key = await assent(["key", "create", "--tenant", "nobody"]);
    expect(key.stderr).toMatch(/tenant nobody not found/);
  });

  it("refuses a bad configuration naming the setting, with exit 2", async () => {
    const bad = await run(["tenant", "list"], { env: { ...env, ASSENT_RETENTION_DAYS: "45" } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/program.retentionDays must be between 1 and 30/);
  });

  it("prints help for every command", async () => {
    for (const args of [
      ["--help"],
      ["serve", "--help"],
      ["tenant", "create", "--help"],
      ["key", "create", "--help"],
      ["user", "create", "--help"],
    ]) {
      const res = await assent(args);
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(/Usage: assent/);
    }
  });
});

describe("the assent process (smoke)", () => {
  // Two real processes, to show the entry point wires runCli to the process: output and exit code.
  it("prints help and exits 0; refuses a bad configuration with exit 2", { timeout: 120_000 }, () => {
    const help = spawnAssent(["--help"], process.env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: assent/);
    const bad = spawnAssent(["tenant", "list"], { ...process.env, ASSENT_RETENTION_DAYS: "45" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/program.retentionDays must be between 1 and 30/);
  });
});
