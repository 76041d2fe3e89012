import { readFileSync } from "node:fs";
import path from "node:path";
import { type Static, Type } from "typebox";
import { Compile } from "typebox/compile";
import { Value } from "typebox/value";
import { type KeySettings, keyProblems } from "./config-keys.js";
import { configProblems } from "./config-problems.js";

/**
 * One configuration for the whole service: a JSON file (ASSENT_CONFIG or --config) with
 * environment variables on top, validated once against ConfigSchema and frozen. The schema holds
 * every setting's default and bounds; every bad value is reported by its path, so an operator can
 * fix the file without reading code. A new setting is one entry below (plus one in ENVIRONMENT
 * when a variable may set it).
 */

const int = (dflt: number, minimum: number, maximum: number, description?: string) =>
  Type.Integer({ default: dflt, minimum, maximum, ...(description ? { description } : {}) });
const text = (dflt: string, maxLength: number) => Type.String({ default: dflt, minLength: 1, maxLength });
const section = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { default: {} });
const oneOf = <const T extends string[]>(values: T, dflt: T[number]) =>
  Type.Enum(values, { default: dflt, description: `one of ${values.join(", ")}` });

const STORE_URL = Type.String({
  pattern: "^(sqlite:.+|postgres(ql)?://.+)$",
  description: "a store URL (sqlite:FILE or postgres://…)",
});
const PURPOSE = "^[a-z][a-z0-9-]{0,63}$";

/** A program feature's id (configuration and management API alike). */
export const FEATURE_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._/-]*$";

export const DEFAULT_PROGRAM = {
  name: "Data sharing for AI features",
  description:
    "When sharing is on, the prompts, outputs and telemetry of the AI features your organisation uses are " +
    "captured and may be reviewed by our staff to build, improve and validate those features. Data stays in " +
    "your home region, is kept at most the retention period, is deleted after you opt out, and is never " +
    "used to train foundation models.",
  retentionDays: 30,
  withdrawalDeleteDays: 30,
  allowedPurposes: ["feature-improvement", "quality-evaluation", "safety-evaluation", "debugging"],
} as const;

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    host: text("127.0.0.1", 255),
    port: int(8080, 0, 65535),
    dataDir: text("./data", 2000),
    /** The control store: tenants, users, keys, grants, control audit. */
    controlStore: Type.String({ ...STORE_URL, default: "sqlite:control.db" }),
    /** Region name → store URL. */
    regions: Type.Record(Type.String(), STORE_URL, {
      default: { us: "sqlite:region-us.db", eu: "sqlite:region-eu.db" },
      minProperties: 1,
      propertyNames: { pattern: "^[a-z][a-z0-9-]{0,31}$", description: "a valid region name (a-z, 0-9, -)" },
      description: "an object mapping region names (a-z, 0-9, -) to store URLs",
    }),
    /** Base64 of 32 bytes; when absent the key file in the data directory is used (created if missing). */
    masterKey: Type.Optional(Type.String({ description: "base64 of exactly 32 bytes" })),
    logLevel: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
    program: section({
      name: text(DEFAULT_PROGRAM.name, 200),
      description: text(DEFAULT_PROGRAM.description, 4000),
      retentionDays: int(30, 1, 30, "how long shared data may be kept, in days"),
      withdrawalDeleteDays: int(30, 0, 30, "days after an opt-out by which the tenant's data is deleted"),
      allowedPurposes: Type.Array(Type.String({ pattern: PURPOSE }), {
        default: DEFAULT_PROGRAM.allowedPurposes,
        description: "a list of purpose names (a-z, 0-9, -)",
      }),
      features: Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 128, pattern: FEATURE_ID_PATTERN }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            description: Type.String({ maxLength: 2000, default: "" }),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          maxItems: 500,
          description:
            "the program's AI features ({id, name, description}); a tenant may share only some of them",
        },
      ),
      labels: section({
        ratingMax: int(5, 2, 5, "the rating scale reviewers use: 1 to this"),
        ratingNames: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
          default: [],
          maxItems: 5,
          description: "optional words for each rating, lowest first (as many as ratingMax)",
        }),
        tags: Type.Array(Type.String({ pattern: "^[a-z0-9][a-z0-9._:-]{0,63}$" }), {
          default: [],
          maxItems: 100,
          description: "the tag vocabulary reviewers pick from; empty: any tag",
        }),
        correctedOutput: Type.Boolean({
          default: true,
          description: "whether a label may carry a corrected output (sealed like the content)",
        }),
      }),
    }),
    ingest: section({
      maxBatchItems: int(1000, 1, 1000),
      maxBodyBytes: int(8 * 1024 * 1024, 1024, 8 * 1024 * 1024),
      maxContentBytes: int(
        1024 * 1024,
        1024,
        8 * 1024 * 1024,
        "cap on one item's input plus output, as JSON",
      ),
      rateLimitPerMinute: int(12_000, 0, 10_000_000, "requests per minute per ingestion key; 0: no limit"),
      maxContentDepth: int(64, 8, 256, "how deeply one item's input or output may nest (arrays, objects)"),
      maxInFlightRequests: int(
        64,
        1,
        100_000,
        "ingest requests received or processed at once (all ingest routes); beyond: 429 + Retry-After",
      ),
      maxInFlightBytes: int(
        32 * 1024 * 1024,
        1024,
        4 * 1024 * 1024 * 1024,
        "ingest body bytes held at once (declared, streamed or inflated); beyond: 429 + Retry-After",
      ),
      maxLoopUtilization: int(
        100,
        10,
        100,
        "percent of the last half second the event loop may have been busy for a new ingest request to be taken; beyond: 429 + Retry-After; 100: no such bound",
      ),
      bodyTimeoutMs: int(
        10_000,
        100,
        10 * 60_000,
        "how long an admitted ingest body may take to arrive, in ms; past it 408 and the connection is closed (a slow upload does not hold the budget)",
      ),
      maxConcurrentDrains: int(
        8,
        0,
        10_000,
        "refused request bodies read and discarded at once so their clients can read the answer; beyond: answer and close",
      ),
      // OTLP span/log join (issue 9): what waits in memory for its partner, and for how long.
      otlpJoinWindowMs: int(
        30_000,
        0,
        10 * 60_000,
        "how long a content-less model-call span and its content log records wait for each other, in ms; 0: off",
      ),
      otlpJoinMaxEntries: int(10_000, 1, 1_000_000, "most spans and log-record groups waiting at once"),
      otlpJoinMaxBytes: int(64 * 1024 * 1024, 1024, 1024 ** 3, "most bytes waiting at once (estimated)"),
    }),
    access: section({
      sessionHours: int(12, 1, 24 * 30),
      grantMaxMinutes: int(480, 5, 480, "longest grant a request may ask for"),
      /** Duration of a grant when the request names none; at most grantMaxMinutes (checked below). */
      grantDefaultMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 480 })),
      requestExpiryHours: int(96, 1, 96, "a request not decided within this many hours expires"),
      approvalsRequired: int(1, 1, 2, "distinct approvers a request needs, none of them the requester"),
      /** How the access-transparency log names staff to tenants: their name (or email), or their staff id. */
      transparencyIdentity: oneOf(["name", "staff-id"], "name"),
      signInMaxFailuresPerAccount: int(5, 1, 100),
      signInMaxFailuresPerAddress: int(20, 1, 10_000),
      signInLockMinutes: int(15, 1, 24 * 60),
    }),
    jobs: section({
      intervalSeconds: int(60, 1, 24 * 3600),
      retentionSweepMinutes: int(60, 1, 24 * 60),
      purgeBatchSize: int(5000, 1, 100_000, "rows per purge transaction (withdrawal, delete-now, retention)"),
    }),
    /** Previous master keys and the audit signing key (issue 16; see config-keys.ts). */
    keys: section({
      previousMasterKeys: Type.Array(Type.String({ maxLength: 200 }), {
        default: [],
        maxItems: 16,
        description: "base64 master keys that may still wrap some data keys (a rotation not yet finished)",
      }),
      signingKey: Type.Optional(
        Type.String({
          minLength: 40,
          maxLength: 200,
          description: "base64 PKCS#8 DER of an Ed25519 private key",
        }),
      ),
      signingPublicKeys: Type.Array(Type.String({ maxLength: 100 }), {
        default: [],
        maxItems: 16,
        description: "base64url raw Ed25519 public keys of retired signing keys",
      }),
    }),
    /**
     * How often sharing changes and revoked keys made by other processes are polled for, in ms:
     * always on SQLite; on PostgreSQL only while a store's change listener is down (ADR 0010).
     */
    sharingPollMs: int(500, 50, 60_000),
    // PostgreSQL stores (issue 10): connections per process, per store.
    postgres: section({
      poolSize: int(10, 1, 1000, "pooled connections per PostgreSQL store and process (plus one listener)"),
      pools: Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 1000 }), {
        default: {},
        propertyNames: {
          pattern: "^(control|[a-z][a-z0-9-]{0,31})$",
          description: "control or a region name",
        },
        description: "per store (control or a region name): its pool size, instead of poolSize",
      }),
    }),
    shutdownDeadlineSeconds: int(
      10,
      1,
      300,
      "after SIGTERM/SIGINT, how long shutdown may take before exiting anyway",
    ),
    // OTLP with a service key (issue 8): the attributes naming a span's tenant.
    otlp: section({
      tenantAttributes: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        default: ["assent.tenant"],
        minItems: 1,
        maxItems: 8,
        description: "attribute names tried in order on the span, then on its resource",
      }),
    }),
  },
  { additionalProperties: false },
);

/** Environment variables: each sets one setting (numbers are parsed; empty means unset). */
export const ENVIRONMENT: readonly {
  readonly name: string;
  readonly path: string;
  readonly kind?: "number" | "regions" | "list";
}[] = [
  { name: "ASSENT_PORT", path: "port", kind: "number" },
  { name: "ASSENT_HOST", path: "host" },
  { name: "ASSENT_DATA_DIR", path: "dataDir" },
  { name: "ASSENT_CONTROL_STORE", path: "controlStore" },
  { name: "ASSENT_MASTER_KEY", path: "masterKey" },
  { name: "ASSENT_LOG_LEVEL", path: "logLevel" },
  { name: "ASSENT_REGIONS", path: "regions", kind: "regions" },
  { name: "ASSENT_RETENTION_DAYS", path: "program.retentionDays", kind: "number" },
  { name: "ASSENT_WITHDRAWAL_DELETE_DAYS", path: "program.withdrawalDeleteDays", kind: "number" },
  { name: "ASSENT_INGEST_RATE_LIMIT_PER_MINUTE", path: "ingest.rateLimitPerMinute", kind: "number" },
  { name: "ASSENT_JOBS_INTERVAL_SECONDS", path: "jobs.intervalSeconds", kind: "number" },
  { name: "ASSENT_PREVIOUS_MASTER_KEYS", path: "keys.previousMasterKeys", kind: "list" },
  { name: "ASSENT_SIGNING_KEY", path: "keys.signingKey" },
  { name: "ASSENT_SIGNING_PUBLIC_KEYS", path: "keys.signingPublicKeys", kind: "list" },
  { name: "ASSENT_SHUTDOWN_DEADLINE_SECONDS", path: "shutdownDeadlineSeconds", kind: "number" },
  { name: "ASSENT_PG_POOL_SIZE", path: "postgres.poolSize", kind: "number" },
];

type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;
type Settings = Static<typeof ConfigSchema>;

export type ProgramConfig = Frozen<Settings["program"]>;
export type IngestConfig = Frozen<Settings["ingest"]>;
export type AccessConfig = Frozen<Required<Settings["access"]>>;
export type OtlpConfig = Frozen<Settings["otlp"]>;
export type Config = Frozen<
  Omit<Settings, "$schema" | "masterKey" | "access" | "keys"> & {
    masterKey: string | null;
    access: AccessConfig;
    keys: KeySettings;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

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
  const out: JsonObject = structuredClone(raw);
  for (const { name, path: where, kind } of ENVIRONMENT) {
    const v = env[name];
    if (v === undefined || v === "") continue;
    let value: Json = v;
    if (kind === "number") {
      value = Number(v);
      if (!Number.isFinite(value)) {
        problems.push(`${name} must be a number`);
        continue;
      }
    } else if (kind === "regions") value = parseRegionsEnv(v, problems);
    else if (kind === "list")
      value = v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    const keys = where.split(".");
    let at = out;
    for (const k of keys.slice(0, -1)) {
      const next = at[k];
      at = at[k] = isObject(next) ? next : {};
    }
    at[keys[keys.length - 1] as string] = value;
  }
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

/**
 * Each setting is compiled on its own: TypeBox stops checking an object's other properties once a
 * record's key is refused, and every bad value must be listed.
 */
const settings = Object.entries(ConfigSchema.properties).map(([key, schema]) => ({
  key,
  check: Compile(schema),
}));

function schemaProblems(value: JsonObject): string[] {
  const unknown = Object.keys(value).filter((k) => !(k in ConfigSchema.properties));
  const problems = unknown.map((k) => `unknown setting "${k}"`);
  for (const { key, check } of settings) {
    if (value[key] === undefined || check.Check(value[key])) continue; // absent: only optional ones are
    const errors = check.Errors(value[key]).map((e) => ({ ...e, instancePath: `/${key}${e.instancePath}` }));
    problems.push(...configProblems(ConfigSchema, value, errors));
  }
  return problems;
}

/** A setting set to null counts as unset (its default applies). */
function withoutNulls(v: Json): Json {
  if (Array.isArray(v)) return v;
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

/**
 * The rules the schema cannot say, next to it: they relate settings to each other or decode one.
 * Run on the defaulted value even when the schema found problems, so every problem is listed.
 */
function crossChecks(s: Partial<Record<keyof Settings, unknown>>): string[] {
  const problems: string[] = [];
  const urls = isObject(s.regions) ? Object.values(s.regions) : [];
  if (new Set(urls).size !== urls.length) problems.push("regions must each have their own store");
  if (urls.includes(s.controlStore as string)) problems.push("controlStore must not be a region's store");
  if (typeof s.masterKey === "string" && Buffer.from(s.masterKey, "base64").length !== 32) {
    problems.push("masterKey (ASSENT_MASTER_KEY) must be base64 of exactly 32 bytes");
  }
  const program = isObject(s.program) ? s.program : {};
  const purposes = Array.isArray(program.allowedPurposes) ? program.allowedPurposes : [];
  if (purposes.some((x) => /foundation|pretrain|pre-train/.test(String(x)))) {
    problems.push("program.allowedPurposes: training foundation models is never an allowed purpose");
  }
  const featureIds = Array.isArray(program.features)
    ? program.features.map((f) => (isObject(f) ? String(f.id) : ""))
    : [];
  if (new Set(featureIds).size !== featureIds.length) problems.push("program.features: ids must be unique");
  problems.push(...keyProblems(s.keys));
  const access = isObject(s.access) ? s.access : {};
  const { grantDefaultMinutes: dflt, grantMaxMinutes: max } = access;
  if (typeof dflt === "number" && typeof max === "number" && dflt > max) {
    problems.push(`access.grantDefaultMinutes must be between 5 and ${max} (got ${dflt})`);
  }
  return problems;
}

const deepFreeze = <T>(v: T): T => {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
};

/** Validates the raw layers and applies defaults. Throws ConfigError listing every problem. */
export function parseConfig(raw: JsonObject): Config {
  const value = Value.Default(ConfigSchema, withoutNulls(structuredClone(raw)));
  const problems = [...schemaProblems(value as JsonObject), ...crossChecks(value as JsonObject)];
  if (problems.length) throw new ConfigError(problems);
  const s = value as Settings;
  const { $schema: _, masterKey, ...rest } = s;
  return deepFreeze({
    ...rest,
    dataDir: path.resolve(s.dataDir),
    masterKey: masterKey ?? null,
    access: { ...s.access, grantDefaultMinutes: s.access.grantDefaultMinutes ?? s.access.grantMaxMinutes },
    keys: { ...s.keys, signingKey: s.keys.signingKey ?? null },
  });
}

export function loadConfig(env: NodeJS.ProcessEnv, overrides: JsonObject = {}, configFile?: string): Config {
  const raw = loadRawConfig(env, configFile);
  return parseConfig({ ...raw, ...overrides });
}
