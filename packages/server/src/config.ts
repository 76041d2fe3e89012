import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * One configuration for the whole service: a JSON file (ASSENT_CONFIG or --config) with
 * environment variables on top, validated once and frozen. Every bad value is reported by its
 * path, so an operator can fix the file without reading code.
 */
export interface ProgramConfig {
  readonly name: string;
  readonly description: string;
  /** How long shared data may be kept, in days (1–30). */
  readonly retentionDays: number;
  /** How long after an opt-out the tenant's shared data is deleted at the latest (0–30). */
  readonly withdrawalDeleteDays: number;
  readonly allowedPurposes: readonly string[];
}

export interface IngestConfig {
  readonly maxBatchItems: number;
  readonly maxBodyBytes: number;
  /** Cap on one interaction's input plus output, serialized as JSON, in bytes. */
  readonly maxContentBytes: number;
  /** Requests per minute per ingestion key; 0 disables the limit. */
  readonly rateLimitPerMinute: number;
}

export interface AccessConfig {
  readonly sessionHours: number;
  /** Longest grant a request may ask for, in minutes (at most 8 hours). */
  readonly grantMaxMinutes: number;
  /** Duration of a grant when the request names none (at most grantMaxMinutes). */
  readonly grantDefaultMinutes: number;
  /** A request not decided within this many hours expires (at most 4 days). */
  readonly requestExpiryHours: number;
  /** Distinct approvers a request needs (1 or 2), none of them the requester. */
  readonly approvalsRequired: number;
  /** How the access-transparency log names staff to tenants: their name (or email), or their staff id. */
  readonly transparencyIdentity: "name" | "staff-id";
  /** Failed sign-ins per account, and per client address, before sign-in is locked for signInLockMinutes. */
  readonly signInMaxFailuresPerAccount: number;
  readonly signInMaxFailuresPerAddress: number;
  readonly signInLockMinutes: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Store URL of the control store (tenants, users, keys, grants, control audit). */
  readonly controlStore: string;
  /** Region name → store URL. */
  readonly regions: Readonly<Record<string, string>>;
  /** Base64 of 32 bytes; when absent the key file in the data directory is used (created if missing). */
  readonly masterKey: string | null;
  readonly logLevel: string;
  readonly program: ProgramConfig;
  readonly ingest: IngestConfig;
  readonly access: AccessConfig;
  readonly jobs: { readonly intervalSeconds: number; readonly retentionSweepMinutes: number };
  /** How often the SSE stream re-reads sharing state changed by other processes, in ms. */
  readonly sharingPollMs: number;
  readonly otlp: OtlpConfig;
}

// --- OTLP with a service key (issue 8) ---
export interface OtlpConfig {
  /** Attribute names naming a span's tenant, tried in order on the span, then on its resource. */
  readonly tenantAttributes: readonly string[];
}

export const DEFAULT_OTLP: OtlpConfig = { tenantAttributes: ["assent.tenant"] };

function otlpSettings(v: Json | undefined, problems: string[]): OtlpConfig {
  if (v === undefined || v === null) return DEFAULT_OTLP;
  const names = isObject(v) ? v.tenantAttributes : undefined;
  if (!isObject(v) || Object.keys(v).some((k) => k !== "tenantAttributes")) {
    problems.push('otlp must be an object with only "tenantAttributes"');
    return DEFAULT_OTLP;
  }
  if (names === undefined) return DEFAULT_OTLP;
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.length > 8 ||
    !names.every((n) => typeof n === "string" && n.length > 0 && n.length <= 128)
  ) {
    problems.push("otlp.tenantAttributes must be 1-8 attribute names of 1-128 characters");
    return DEFAULT_OTLP;
  }
  return Object.freeze({ tenantAttributes: Object.freeze([...(names as string[])]) });
}
// --- end OTLP ---

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export const DEFAULT_PROGRAM: ProgramConfig = {
  name: "Data sharing for AI features",
  description:
    "When sharing is on, the prompts, outputs and telemetry of the AI features your organisation uses are " +
    "captured and may be reviewed by our staff to build, improve and validate those features. Data stays in " +
    "your home region, is kept at most the retention period, is deleted after you opt out, and is never " +
    "used to train foundation models.",
  retentionDays: 30,
  withdrawalDeleteDays: 30,
  allowedPurposes: ["feature-improvement", "quality-evaluation", "safety-evaluation", "debugging"],
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the raw layers (file, then environment) into one plain object. */
export function loadRawConfig(env: NodeJS.ProcessEnv, configFile?: string): JsonObject {
  const file = configFile ?? env.ASSENT_CONFIG;
  let raw: JsonObject = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError([
        `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
      ]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError([`config file ${file} is not valid JSON`]);
    }
    if (!isObject(parsed)) throw new ConfigError([`config file ${file} must hold a JSON object`]);
    raw = parsed;
  }
  const problems: string[] = [];
  const program: JsonObject = isObject(raw.program) ? { ...raw.program } : {};
  const ingest: JsonObject = isObject(raw.ingest) ? { ...raw.ingest } : {};
  const out: JsonObject = { ...raw, program, ingest };
  const num = (name: string, set: (n: Json) => void) => {
    const v = env[name];
    if (v === undefined || v === "") return;
    const n = Number(v);
    if (!Number.isFinite(n)) problems.push(`${name} must be a number`);
    else set(n);
  };
  const str = (name: string, set: (s: string) => void) => {
    const v = env[name];
    if (v !== undefined && v !== "") set(v);
  };
  num("ASSENT_PORT", (n) => {
    out.port = n;
  });
  str("ASSENT_HOST", (s) => {
    out.host = s;
  });
  str("ASSENT_DATA_DIR", (s) => {
    out.dataDir = s;
  });
  str("ASSENT_CONTROL_STORE", (s) => {
    out.controlStore = s;
  });
  str("ASSENT_MASTER_KEY", (s) => {
    out.masterKey = s;
  });
  str("ASSENT_LOG_LEVEL", (s) => {
    out.logLevel = s;
  });
  str("ASSENT_REGIONS", (s) => {
    out.regions = parseRegionsEnv(s, problems);
  });
  num("ASSENT_RETENTION_DAYS", (n) => {
    program.retentionDays = n;
  });
  num("ASSENT_WITHDRAWAL_DELETE_DAYS", (n) => {
    program.withdrawalDeleteDays = n;
  });
  num("ASSENT_INGEST_RATE_LIMIT_PER_MINUTE", (n) => {
    ingest.rateLimitPerMinute = n;
  });
  num("ASSENT_JOBS_INTERVAL_SECONDS", (n) => {
    out.jobs = { ...(isObject(out.jobs) ? out.jobs : {}), intervalSeconds: n };
  });
  if (problems.length) throw new ConfigError(problems);
  return out;
}

/** `us=sqlite:us.db,eu=postgres://…` or a JSON object. */
function parseRegionsEnv(value: string, problems: string[]): JsonObject {
  if (value.trim().startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isObject(parsed)) return parsed;
    } catch {
      // reported below
    }
    problems.push("ASSENT_REGIONS must be a JSON object or name=url pairs separated by commas");
    return {};
  }
  const out: JsonObject = {};
  for (const pair of value.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      problems.push(`ASSENT_REGIONS entry "${pair}" must look like name=url`);
      continue;
    }
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

const REGION_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Validates the raw layers and applies defaults. Throws ConfigError listing every problem. */
export function parseConfig(raw: JsonObject): Config {
  const problems: string[] = [];
  const known = new Set([
    "host",
    "port",
    "dataDir",
    "controlStore",
    "regions",
    "masterKey",
    "logLevel",
    "program",
    "ingest",
    "access",
    "jobs",
    "sharingPollMs",
    "otlp",
    "$schema",
  ]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`unknown setting "${key}"`);

  const int = (where: string, v: Json | undefined, dflt: number, min: number, max: number): number => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      problems.push(`${where} must be a whole number`);
      return dflt;
    }
    if (v < min || v > max) {
      problems.push(`${where} must be between ${min} and ${max} (got ${v})`);
      return dflt;
    }
    return v;
  };
  const text = (where: string, v: Json | undefined, dflt: string, max = 2000): string => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "string" || v.length === 0 || v.length > max) {
      problems.push(`${where} must be a non-empty string of at most ${max} characters`);
      return dflt;
    }
    return v;
  };

  const dataDir = path.resolve(text("dataDir", raw.dataDir, "./data"));
  const regionsRaw = raw.regions ?? { us: "sqlite:region-us.db", eu: "sqlite:region-eu.db" };
  const regions: Record<string, string> = {};
  if (!isObject(regionsRaw) || Object.keys(regionsRaw).length === 0) {
    problems.push("regions must be an object mapping region names to store URLs");
  } else {
    for (const [name, url] of Object.entries(regionsRaw)) {
      if (!REGION_NAME.test(name))
        problems.push(`regions: "${name}" is not a valid region name (a-z, 0-9, -)`);
      if (typeof url !== "string" || !isStoreUrl(url)) {
        problems.push(`regions.${name} must be a store URL (sqlite:FILE or postgres://…)`);
        continue;
      }
      regions[name] = url;
    }
    const urls = Object.values(regions);
    if (new Set(urls).size !== urls.length) problems.push("regions must each have their own store");
  }
  const controlStore = text("controlStore", raw.controlStore, "sqlite:control.db");
  if (!isStoreUrl(controlStore))
    problems.push("controlStore must be a store URL (sqlite:FILE or postgres://…)");
  if (Object.values(regions).includes(controlStore))
    problems.push("controlStore must not be a region's store");

  let masterKey: string | null = null;
  if (raw.masterKey !== undefined && raw.masterKey !== null) {
    if (typeof raw.masterKey !== "string" || Buffer.from(raw.masterKey, "base64").length !== 32) {
      problems.push("masterKey (ASSENT_MASTER_KEY) must be base64 of exactly 32 bytes");
    } else masterKey = raw.masterKey;
  }

  const p = isObject(raw.program) ? raw.program : {};
  const purposesRaw = p.allowedPurposes ?? [...DEFAULT_PROGRAM.allowedPurposes];
  let allowedPurposes: string[] = [...DEFAULT_PROGRAM.allowedPurposes];
  if (
    !Array.isArray(purposesRaw) ||
    purposesRaw.some((x) => typeof x !== "string" || !/^[a-z][a-z0-9-]{0,63}$/.test(x))
  ) {
    problems.push("program.allowedPurposes must be a list of purpose names (a-z, 0-9, -)");
  } else if (purposesRaw.some((x) => /foundation|pretrain|pre-train/.test(String(x)))) {
    problems.push("program.allowedPurposes: training foundation models is never an allowed purpose");
  } else allowedPurposes = purposesRaw as string[];
  const program: ProgramConfig = Object.freeze({
    name: text("program.name", p.name, DEFAULT_PROGRAM.name, 200),
    description: text("program.description", p.description, DEFAULT_PROGRAM.description, 4000),
    retentionDays: int("program.retentionDays", p.retentionDays, 30, 1, 30),
    withdrawalDeleteDays: int("program.withdrawalDeleteDays", p.withdrawalDeleteDays, 30, 0, 30),
    allowedPurposes: Object.freeze(allowedPurposes),
  });

  const i = isObject(raw.ingest) ? raw.ingest : {};
  const ingest: IngestConfig = Object.freeze({
    maxBatchItems: int("ingest.maxBatchItems", i.maxBatchItems, 1000, 1, 1000),
    maxBodyBytes: int("ingest.maxBodyBytes", i.maxBodyBytes, 8 * 1024 * 1024, 1024, 8 * 1024 * 1024),
    maxContentBytes: int("ingest.maxContentBytes", i.maxContentBytes, 1024 * 1024, 1024, 8 * 1024 * 1024),
    rateLimitPerMinute: int("ingest.rateLimitPerMinute", i.rateLimitPerMinute, 12_000, 0, 10_000_000),
  });
  const a = isObject(raw.access) ? raw.access : {};
  const access: AccessConfig = Object.freeze({
    sessionHours: int("access.sessionHours", a.sessionHours, 12, 1, 24 * 30),
    ...accessGrantSettings(a, int, problems),
  });
  const logLevel = text("logLevel", raw.logLevel, "info", 10);
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    problems.push("logLevel must be one of fatal, error, warn, info, debug, trace, silent");
  }
  const config: Config = {
    host: text("host", raw.host, "127.0.0.1", 255),
    port: int("port", raw.port, 8080, 0, 65535),
    dataDir,
    controlStore,
    regions: Object.freeze(regions),
    masterKey,
    logLevel,
    program,
    ingest,
    access,
    jobs: Object.freeze({
      intervalSeconds: int(
        "jobs.intervalSeconds",
        isObject(raw.jobs) ? raw.jobs.intervalSeconds : undefined,
        60,
        1,
        24 * 3600,
      ),
      retentionSweepMinutes: int(
        "jobs.retentionSweepMinutes",
        isObject(raw.jobs) ? raw.jobs.retentionSweepMinutes : undefined,
        60,
        1,
        24 * 60,
      ),
    }),
    sharingPollMs: int("sharingPollMs", raw.sharingPollMs, 500, 50, 60_000),
    otlp: otlpSettings(raw.otlp, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Staff access: grants, request expiry, approvals, transparency, sign-in throttling. */
function accessGrantSettings(
  a: JsonObject,
  int: (where: string, v: Json | undefined, dflt: number, min: number, max: number) => number,
  problems: string[],
): Omit<AccessConfig, "sessionHours"> {
  const grantMaxMinutes = int("access.grantMaxMinutes", a.grantMaxMinutes, 480, 5, 480);
  const grantDefaultMinutes = int(
    "access.grantDefaultMinutes",
    a.grantDefaultMinutes,
    grantMaxMinutes,
    5,
    grantMaxMinutes,
  );
  const identity = a.transparencyIdentity ?? "name";
  if (identity !== "name" && identity !== "staff-id") {
    problems.push('access.transparencyIdentity must be "name" or "staff-id"');
  }
  return {
    grantMaxMinutes,
    grantDefaultMinutes,
    requestExpiryHours: int("access.requestExpiryHours", a.requestExpiryHours, 96, 1, 96),
    approvalsRequired: int("access.approvalsRequired", a.approvalsRequired, 1, 1, 2),
    transparencyIdentity: identity === "staff-id" ? "staff-id" : "name",
    signInMaxFailuresPerAccount: int(
      "access.signInMaxFailuresPerAccount",
      a.signInMaxFailuresPerAccount,
      5,
      1,
      100,
    ),
    signInMaxFailuresPerAddress: int(
      "access.signInMaxFailuresPerAddress",
      a.signInMaxFailuresPerAddress,
      20,
      1,
      10_000,
    ),
    signInLockMinutes: int("access.signInLockMinutes", a.signInLockMinutes, 15, 1, 24 * 60),
  };
}

function isStoreUrl(url: string): boolean {
  return /^sqlite:.+/.test(url) || /^postgres(ql)?:\/\/.+/.test(url);
}

export function loadConfig(env: NodeJS.ProcessEnv, overrides: JsonObject = {}, configFile?: string): Config {
  const raw = loadRawConfig(env, configFile);
  return parseConfig({ ...raw, ...overrides });
}
