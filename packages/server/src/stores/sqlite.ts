import Database from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";
import { ensurePrivateFile } from "../private-files.js";
import type { Store } from "./store.js";

/**
 * Transactions start with BEGIN IMMEDIATE: a transaction takes the write lock up front, so the
 * consent gate's read and the insert that depends on it cannot interleave with another
 * process's toggle, and no reader is upgraded into a busy deadlock.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly cfg: SqliteDialectConfig) {
    super(cfg);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.cfg);
  }
}

/**
 * Kysely prepares every query anew; preparing a 200-row insert costs as much as encrypting it.
 * Statements are reused by SQL text (the query builder emits the same text for the same shape).
 * Safe because Kysely runs each statement to completion before the next on this connection.
 */
function cachePreparedStatements(sqlite: Database.Database, size: number): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source);
    } else {
      stmt = prepare(source);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, stmt);
    return stmt;
  }) as Database.Database["prepare"];
}

export function openSqliteStore<DB>(name: string, file: string): Store<DB> {
  ensurePrivateFile(file);
  const sqlite = new Database(file);
  // Takes effect only when the file is new. Interactions are ~2 KB rows: 16 KiB pages hold
  // several per page and measured 1.5x the insert rate of the 4 KiB default (bench/ingest).
  sqlite.pragma("page_size = 16384");
  sqlite.pragma("journal_mode = WAL");
  // FULL: every commit is fsynced, so an accepted interaction survives a power loss.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 10000");
  // Deleted content and keys are overwritten, not left in free pages.
  sqlite.pragma("secure_delete = ON");
  cachePreparedStatements(sqlite, 256);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return {
    name,
    dialect: "sqlite",
    db,
    sqlite,
    file,
    schema: null,
    postgres: null,
    close: () => db.destroy(),
  };
}
