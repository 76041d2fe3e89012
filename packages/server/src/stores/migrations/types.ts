import type { Migration } from "kysely";
import type { Dialect } from "../store.js";

/** Column types that differ between the dialects; migrations use these and nothing else. */
export function columnTypes(dialect: Dialect) {
  const pg = dialect === "postgres";
  return {
    /** Epoch milliseconds. */
    time: pg ? ("bigint" as const) : ("integer" as const),
    int: "integer" as const,
    bytes: pg ? ("bytea" as const) : ("blob" as const),
    json: pg ? ("jsonb" as const) : ("text" as const),
  };
}

export type MigrationSet = (dialect: Dialect) => Record<string, Migration>;
