import type { Kysely } from "kysely";
import type { ControlDb, ProgramFeatureTable } from "../../stores/control-schema.js";
import type { Dialect } from "../../stores/store.js";
import { forUpdate } from "../../stores/store.js";

/** A feature declared through the management API, as stored in the control store. */
export interface DeclaredFeature {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly updatedBy: string;
  readonly retiredAt: number | null;
  readonly retiredBy: string | null;
}

const toFeature = (r: ProgramFeatureTable): DeclaredFeature => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  updatedAt: Number(r.updated_at),
  updatedBy: r.updated_by,
  retiredAt: r.retired_at === null || r.retired_at === undefined ? null : Number(r.retired_at),
  retiredBy: r.retired_by ?? null,
});

export const programFeaturesRepo = {
  /** Every declared feature, retired ones too, in id order. */
  async list(db: Kysely<ControlDb>): Promise<DeclaredFeature[]> {
    const rows = await db.selectFrom("program_features").selectAll().orderBy("id").execute();
    return rows.map(toFeature);
  },

  async find(
    db: Kysely<ControlDb>,
    dialect: Dialect,
    id: string,
    lock: "none" | "update" = "none",
  ): Promise<DeclaredFeature | null> {
    const q = db.selectFrom("program_features").selectAll().where("id", "=", id);
    const row = await (lock === "update" ? forUpdate(dialect, q) : q).executeTakeFirst();
    return row ? toFeature(row) : null;
  },

  /** False when another writer inserted the id first. */
  async insertIfAbsent(db: Kysely<ControlDb>, row: ProgramFeatureTable): Promise<boolean> {
    const res = await db
      .insertInto("program_features")
      .values(row)
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  },

  async update(
    db: Kysely<ControlDb>,
    id: string,
    patch: Partial<Omit<ProgramFeatureTable, "id" | "created_at" | "created_by">>,
  ): Promise<void> {
    await db.updateTable("program_features").set(patch).where("id", "=", id).execute();
  },
};
