import {
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresIntrospector,
  sql,
  type TableMetadata,
} from "kysely";
import pg from "pg";
import { sha256Hex } from "../ids.js";
import type { Store } from "./store.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Epoch milliseconds and counts are bigint in PostgreSQL; they fit in a double. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Kysely's PostgreSQL introspector (used by the migrator to find its own tables) reads every
 * schema in the database and calls has_schema_privilege() on each: a schema dropped meanwhile
 * by another deployment or test makes it fail. Ours looks at the store's own schema only.
 */
class StoreIntrospector extends PostgresIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: the introspector works on any schema
  constructor(private readonly kdb: Kysely<any>) {
    super(kdb);
  }
  override async getTables(_options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const rows = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p')`.execute(this.kdb);
    return rows.rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === "v", columns: [] }));
  }
}

class StoreDialect extends PostgresDialect {
  constructor(config: PostgresDialectConfig) {
    super(config);
  }
  // biome-ignore lint/suspicious/noExplicitAny: the introspector works on any schema
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new StoreIntrospector(db);
  }
}

/**
 * `postgres://…/db?schema=name` puts the store in its own schema (created on first use), so
 * several stores can share one database in development and tests; production gives each
 * region its own database or cluster.
 */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | null } {
  const u = new URL(url);
  const schema = u.searchParams.get("schema");
  u.searchParams.delete("schema");
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`schema "${schema}" in a store URL must be a lower-case SQL identifier`);
  }
  return { connectionString: u.toString(), schema };
}

export async function openPostgresStore<DB>(name: string, url: string, poolSize = 10): Promise<Store<DB>> {
  const { connectionString, schema } = parsePostgresUrl(url);
  if (schema) {
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const clientConfig = {
    connectionString,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  const pool = new pg.Pool({ ...clientConfig, max: poolSize });
  // A broken idle connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  // Nor one that breaks while checked out (the server restarts, an administrator terminates the
  // backend): its query fails (store unavailable → 503) and the pool drops it on release.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const db = new Kysely<DB>({ dialect: new StoreDialect({ pool }) });
  const postgres = {
    pool,
    channel: notifyChannel(schema),
    newClient: () => new pg.Client({ ...clientConfig, keepAlive: true }),
  };
  return {
    name,
    dialect: "postgres",
    db,
    sqlite: null,
    file: null,
    schema,
    postgres,
    close: () => db.destroy(),
  };
}

/**
 * NOTIFY channels belong to the database, not to a schema: stores sharing a database (tests,
 * development) each get their own channel, named after their schema.
 */
export function notifyChannel(schema: string | null): string {
  return schema ? `assent_${sha256Hex(schema).slice(0, 24)}` : "assent_changes";
}
