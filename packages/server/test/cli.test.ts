import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createServices } from "../src/wiring.js";
import { dialects, dropSchemas, storeUrls } from "./harness.js";

const cliEntry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

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

  const assent = (args: string[], input?: string) =>
    spawnSync(process.execPath, ["--import", "tsx", cliEntry, ...args], {
      env,
      input,
      encoding: "utf8",
      timeout: 60_000,
    });

  it("creates a tenant, a key and a tenant admin that work against the service", async () => {
    const tenant = assent(["tenant", "create", "--name", "ACME", "--region", "eu", "--id", "acme"]);
    expect(tenant.stderr).toBe("");
    expect(tenant.status).toBe(0);
    expect(JSON.parse(tenant.stdout)).toMatchObject({ id: "acme", name: "ACME", region: "eu" });

    const key = assent(["key", "create", "--tenant", "acme"]);
    expect(key.status).toBe(0);
    const { key: secret } = JSON.parse(key.stdout) as { key: string };
    expect(secret).toMatch(/^ask_/);
    const service = assent(["key", "create", "--service", "copilot", "--regions", "eu"]);
    expect(service.status).toBe(0);
    const { key: serviceSecret } = JSON.parse(service.stdout) as { key: string };
    expect(serviceSecret).toMatch(/^assk_/);

    const user = assent(
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

    const verify = assent(["audit", "verify"]);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout).ok).toBe(true);
  });

  it("refuses bad input with a clear message and a non-zero exit", () => {
    const region = assent(["tenant", "create", "--name", "X", "--region", "mars"]);
    expect(region.status).not.toBe(0);
    expect(region.stderr).toMatch(/region "mars" is not configured/);
    const missing = assent(["tenant", "create", "--region", "us"]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/--name/);
    const role = assent(["user", "create", "--email", "x@y.z", "--role", "king"], "a long enough password\n");
    expect(role.status).not.toBe(0);
    expect(role.stderr).toMatch(/unknown role "king"/);
    const weak = assent(["user", "create", "--email", "x@y.z", "--role", "reviewer"], "short\n");
    expect(weak.stderr).toMatch(/at least 12 characters/);
    const key = assent(["key", "create", "--tenant", "nobody"]);
    expect(key.stderr).toMatch(/tenant nobody not found/);
  });

  it("refuses a bad configuration naming the setting", () => {
    const bad = spawnSync(process.execPath, ["--import", "tsx", cliEntry, "tenant", "list"], {
      env: { ...env, ASSENT_RETENTION_DAYS: "45" },
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/program.retentionDays must be between 1 and 30/);
  });

  it("prints help for every command", () => {
    for (const args of [
      ["--help"],
      ["serve", "--help"],
      ["tenant", "create", "--help"],
      ["key", "create", "--help"],
      ["user", "create", "--help"],
    ]) {
      const res = assent(args);
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(/Usage: assent/);
    }
  });
});
