import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadRawConfig, parseConfig } from "./config.js";

/** The problems a bad configuration is refused with (ConfigError lists every one). */
function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("the configuration was accepted");
}

const dir = mkdtempSync(path.join(tmpdir(), "assent-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("program deletion settings", () => {
  it("default to 30 days of retention and 30 days to delete after opt-out", () => {
    const config = parseConfig({});
    expect(config.program.retentionDays).toBe(30);
    expect(config.program.withdrawalDeleteDays).toBe(30);
    expect(config.jobs.intervalSeconds).toBe(60);
  });

  it("accept the whole allowed range", () => {
    expect(parseConfig({ program: { retentionDays: 1, withdrawalDeleteDays: 0 } }).program).toMatchObject({
      retentionDays: 1,
      withdrawalDeleteDays: 0,
    });
    expect(parseConfig({ program: { retentionDays: 30, withdrawalDeleteDays: 30 } }).program).toMatchObject({
      retentionDays: 30,
      withdrawalDeleteDays: 30,
    });
  });

  it("refuse a retention over 30 days with a message naming the setting and the range", () => {
    expect(problemsOf(() => parseConfig({ program: { retentionDays: 31 } }))).toEqual([
      "program.retentionDays must be between 1 and 30 (got 31)",
    ]);
    expect(problemsOf(() => parseConfig({ program: { retentionDays: 0 } }))).toEqual([
      "program.retentionDays must be between 1 and 30 (got 0)",
    ]);
    expect(problemsOf(() => parseConfig({ program: { retentionDays: 7.5 } }))).toEqual([
      "program.retentionDays must be a whole number",
    ]);
  });

  it("refuse a withdrawal deadline over 30 days or below 0", () => {
    expect(problemsOf(() => parseConfig({ program: { withdrawalDeleteDays: 45 } }))).toEqual([
      "program.withdrawalDeleteDays must be between 0 and 30 (got 45)",
    ]);
    expect(problemsOf(() => parseConfig({ program: { withdrawalDeleteDays: -1 } }))).toEqual([
      "program.withdrawalDeleteDays must be between 0 and 30 (got -1)",
    ]);
  });

  it("lists every problem at once, and the error message carries them", () => {
    const run = () => parseConfig({ program: { retentionDays: 90, withdrawalDeleteDays: 60 } });
    expect(problemsOf(run)).toHaveLength(2);
    expect(run).toThrow(/retentionDays must be between 1 and 30 \(got 90\)[\s\S]*withdrawalDeleteDays/);
  });
});

describe("environment overrides", () => {
  it("ASSENT_RETENTION_DAYS, ASSENT_WITHDRAWAL_DELETE_DAYS and ASSENT_JOBS_INTERVAL_SECONDS override the file", () => {
    const file = path.join(dir, "assent.json");
    writeFileSync(
      file,
      JSON.stringify({
        program: { retentionDays: 30, withdrawalDeleteDays: 30 },
        jobs: { intervalSeconds: 600 },
      }),
    );
    const fromFile = loadConfig({}, {}, file);
    expect(fromFile.program.retentionDays).toBe(30);
    expect(fromFile.jobs.intervalSeconds).toBe(600);
    const env = {
      ASSENT_RETENTION_DAYS: "14",
      ASSENT_WITHDRAWAL_DELETE_DAYS: "0",
      ASSENT_JOBS_INTERVAL_SECONDS: "15",
    };
    const config = loadConfig(env, {}, file);
    expect(config.program.retentionDays).toBe(14);
    expect(config.program.withdrawalDeleteDays).toBe(0);
    expect(config.jobs.intervalSeconds).toBe(15);
    // The rest of the program block from the file is kept.
    expect(config.program.name).toBe(fromFile.program.name);
  });

  it("ASSENT_CONFIG names the file when --config is not given", () => {
    const file = path.join(dir, "named.json");
    writeFileSync(file, JSON.stringify({ program: { retentionDays: 7 } }));
    expect(loadConfig({ ASSENT_CONFIG: file }).program.retentionDays).toBe(7);
  });

  it("refuses an override over 30 days just like the file", () => {
    expect(problemsOf(() => loadConfig({ ASSENT_RETENTION_DAYS: "31" }))).toEqual([
      "program.retentionDays must be between 1 and 30 (got 31)",
    ]);
    expect(problemsOf(() => loadConfig({ ASSENT_WITHDRAWAL_DELETE_DAYS: "31" }))).toEqual([
      "program.withdrawalDeleteDays must be between 0 and 30 (got 31)",
    ]);
    expect(problemsOf(() => loadConfig({ ASSENT_JOBS_INTERVAL_SECONDS: "0" }))).toEqual([
      "jobs.intervalSeconds must be between 1 and 86400 (got 0)",
    ]);
  });

  it("refuses an override that is not a number, naming the variable", () => {
    expect(problemsOf(() => loadRawConfig({ ASSENT_RETENTION_DAYS: "thirty" }))).toEqual([
      "ASSENT_RETENTION_DAYS must be a number",
    ]);
    expect(problemsOf(() => loadRawConfig({ ASSENT_JOBS_INTERVAL_SECONDS: "soon" }))).toEqual([
      "ASSENT_JOBS_INTERVAL_SECONDS must be a number",
    ]);
  });

  it("ignores empty variables", () => {
    expect(loadConfig({ ASSENT_RETENTION_DAYS: "" }).program.retentionDays).toBe(30);
  });
});

describe("the configuration schema", () => {
  it("names every bad setting by its path and rule, all at once", () => {
    expect(
      problemsOf(() =>
        parseConfig({
          bogus: 1,
          port: "80",
          host: "",
          logLevel: "loud",
          controlStore: "nope",
          masterKey: "abc",
          regions: { EU: "sqlite:eu.db", us: "http://x" },
          program: { allowedPurposes: ["Bad purpose"] },
          access: { transparencyIdentity: "x", grantMaxMinutes: 60, grantDefaultMinutes: 120 },
        }),
      ),
    ).toEqual([
      'unknown setting "bogus"',
      "host must be a non-empty string of at most 255 characters",
      "port must be a whole number",
      "controlStore must be a store URL (sqlite:FILE or postgres://…)",
      "regions.us must be a store URL (sqlite:FILE or postgres://…)",
      'regions: "EU" is not a valid region name (a-z, 0-9, -)',
      "logLevel must be one of fatal, error, warn, info, debug, trace, silent",
      "program.allowedPurposes must be a list of purpose names (a-z, 0-9, -)",
      "access.transparencyIdentity must be one of name, staff-id",
      "masterKey (ASSENT_MASTER_KEY) must be base64 of exactly 32 bytes",
      "access.grantDefaultMinutes must be between 5 and 60 (got 120)",
    ]);
  });

  it("refuses shared stores and foundation-model training", () => {
    expect(
      problemsOf(() =>
        parseConfig({
          regions: { us: "sqlite:a.db", eu: "sqlite:a.db" },
          controlStore: "sqlite:a.db",
          program: { allowedPurposes: ["foundation-training"] },
        }),
      ),
    ).toEqual([
      "regions must each have their own store",
      "controlStore must not be a region's store",
      "program.allowedPurposes: training foundation models is never an allowed purpose",
    ]);
  });

  it("fills defaults (null counts as unset) and freezes the result", () => {
    const config = parseConfig({ port: null, access: { grantMaxMinutes: 60 } });
    expect(config.port).toBe(8080);
    expect(config.masterKey).toBeNull();
    expect(config.access.grantDefaultMinutes).toBe(60);
    expect(config.regions).toEqual({ us: "sqlite:region-us.db", eu: "sqlite:region-eu.db" });
    expect(Object.isFrozen(config.program.allowedPurposes)).toBe(true);
  });

  it("takes every environment variable of the table", () => {
    const config = loadConfig({
      ASSENT_PORT: "9090",
      ASSENT_HOST: "0.0.0.0",
      ASSENT_CONTROL_STORE: "postgres://db/control",
      ASSENT_LOG_LEVEL: "warn",
      ASSENT_REGIONS: "us=sqlite:u.db,eu=postgres://db/eu",
      ASSENT_INGEST_RATE_LIMIT_PER_MINUTE: "0",
      ASSENT_MASTER_KEY: Buffer.alloc(32, 1).toString("base64"),
    });
    expect(config).toMatchObject({
      port: 9090,
      host: "0.0.0.0",
      controlStore: "postgres://db/control",
      logLevel: "warn",
      regions: { us: "sqlite:u.db", eu: "postgres://db/eu" },
      ingest: { rateLimitPerMinute: 0, maxBatchItems: 1000 },
      masterKey: Buffer.alloc(32, 1).toString("base64"),
    });
    expect(loadConfig({ ASSENT_REGIONS: '{"eu":"sqlite:e.db"}' }).regions).toEqual({ eu: "sqlite:e.db" });
    expect(problemsOf(() => loadRawConfig({ ASSENT_REGIONS: "us" }))).toEqual([
      'ASSENT_REGIONS entry "us" must look like name=url',
    ]);
  });
});
