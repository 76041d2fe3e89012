import type Database from "better-sqlite3";
import type { Kysely, SelectQueryBuilder } from "kysely";
import type pg from "pg";

export type Dialect = "sqlite" | "postgres";

/**
 * One database: the control store or one region's store. The same Kysely code runs on both
 * dialects; `sqlite` is exposed for the few places that need the file itself (checkpoints).
 */
export interface Store<DB> {
  readonly name: string;
  readonly dialect: Dialect;
  readonly db: Kysely<DB>;
  /** The embedded database handle, on SQLite only. */
  readonly sqlite: Database.Database | null;
  /** The file path, on SQLite only. */
  readonly file: string | null;
  /** The PostgreSQL schema the store lives in, when its URL names one. */
  readonly schema: string | null;
  /** On PostgreSQL: the pool, and what the change listener needs (ADR 0010). */
  readonly postgres: PostgresLink | null;
  close(): Promise<void>;
}

/** What a PostgreSQL store offers beyond Kysely: its pool and its NOTIFY channel. */
export interface PostgresLink {
  readonly pool: pg.Pool;
  /** The channel every change of this store is announced on (one per store, see ADR 0010). */
  readonly channel: string;
  /** A connection outside the pool, for LISTEN (a pooled one would be handed to queries). */
  newClient(): pg.Client;
}

/** Row lock for a read-modify-write on PostgreSQL; SQLite serializes writers already. */
export function forUpdate<DB, TB extends keyof DB, O>(
  dialect: Dialect,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === "postgres" ? query.forUpdate() : query;
}

/** Shared row lock: readers that must not run concurrently with a writer holding forUpdate. */
export function forShare<DB, TB extends keyof DB, O>(
  dialect: Dialect,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === "postgres" ? query.forShare() : query;
}

/** JSON columns are text on SQLite and jsonb on PostgreSQL; this reads either back. */
export function readJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}
