import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import { conflict, notFound } from "../../errors.js";
import type { ControlDb } from "../../stores/control-schema.js";
import type { Store } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import { type DeclaredFeature, programFeaturesRepo } from "./repo.js";

/**
 * The program's AI features: those of the configuration (`program.features`) and those declared
 * through the management API (stored in the control store). **The configuration wins**: an id it
 * declares cannot be changed or retired through the API (409), and a stored feature with the
 * same id is shadowed by it. Read from the control store on every call (not a hot path: the gate
 * never needs the program's list, only each tenant's own choice), so every process sees a
 * change at once.
 */
export type FeatureSource = "configuration" | "api";

export interface ProgramFeature {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly source: FeatureSource;
  /** When and by whom an API-declared feature was last changed; null for configured ones. */
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

export interface RetiredFeature extends ProgramFeature {
  readonly retiredAt: number;
  readonly retiredBy: string;
}

export interface FeatureInput {
  readonly name: string;
  readonly description?: string;
}

export interface ProgramFeaturesService {
  /** The features tenants may choose: configured ones first (their order), then API ones (id order). */
  list(): Promise<ProgramFeature[]>;
  /** The program as configured, with `features` the merged list. */
  program(): Promise<ProgramConfig>;
  /** Declares a feature or changes its name/description (and brings a retired one back). */
  upsert(
    id: string,
    input: FeatureInput,
    actor: Actor,
  ): Promise<{ feature: ProgramFeature; created: boolean }>;
  /**
   * Retires an API-declared feature: no longer offered to tenant admins. Tenants that chose it
   * keep it in their choice until they change it (the gate keeps honouring their choice).
   */
  retire(id: string, actor: Actor): Promise<RetiredFeature>;
}

export interface ProgramFeaturesDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
  readonly program: ProgramConfig;
}

/** At most this many live features declared through the API (the configuration's own limit). */
export const MAX_DECLARED_FEATURES = 500;

const fromApi = (f: DeclaredFeature): ProgramFeature => ({
  id: f.id,
  name: f.name,
  description: f.description,
  source: "api",
  updatedAt: f.updatedAt,
  updatedBy: f.updatedBy,
});

export function createProgramFeaturesService(deps: ProgramFeaturesDeps): ProgramFeaturesService {
  const { control, clock } = deps;
  const configured: ProgramFeature[] = deps.program.features.map((f) => ({
    id: f.id,
    name: f.name,
    description: f.description,
    source: "configuration",
    updatedAt: null,
    updatedBy: null,
  }));
  const configuredIds = new Set(configured.map((f) => f.id));
  const refuseConfigured = (id: string) => {
    if (configuredIds.has(id))
      throw conflict(
        "configured_feature",
        `feature ${JSON.stringify(id)} is declared in the configuration (program.features), which wins: change it there`,
      );
  };

  /** One attempt: null when a concurrent first declaration of the same id won the insert. */
  const upsertOnce = (
    id: string,
    input: FeatureInput,
    actor: Actor,
  ): Promise<{ feature: ProgramFeature; created: boolean } | null> => {
    const name = input.name.trim();
    const description = (input.description ?? "").trim();
    const who = actor.label ?? actor.id;
    return control.db.transaction().execute(async (trx) => {
      const now = clock.now();
      const before = await programFeaturesRepo.find(trx, control.dialect, id, "update");
      if (!before) {
        const live = (await programFeaturesRepo.list(trx)).filter((f) => f.retiredAt === null).length;
        if (live >= MAX_DECLARED_FEATURES)
          throw conflict(
            "too_many_features",
            `at most ${MAX_DECLARED_FEATURES} features can be declared through the API: retire one first`,
          );
        const inserted = await programFeaturesRepo.insertIfAbsent(trx, {
          id,
          name,
          description,
          created_at: now,
          created_by: who,
          updated_at: now,
          updated_by: who,
          retired_at: null,
          retired_by: null,
        });
        if (!inserted) return null;
      } else {
        const unchanged =
          before.name === name && before.description === description && before.retiredAt === null;
        if (unchanged) return { feature: fromApi(before), created: false };
        await programFeaturesRepo.update(trx, id, {
          name,
          description,
          updated_at: now,
          updated_by: who,
          retired_at: null,
          retired_by: null,
        });
      }
      const changed = before
        ? [
            ...(before.name !== name ? ["name"] : []),
            ...(before.description !== description ? ["description"] : []),
            ...(before.retiredAt !== null ? ["restored"] : []),
          ]
        : [];
      await appendAudit(trx, control.dialect, now, {
        actorId: actor.id,
        actorRole: actor.role,
        action: before ? "program.feature.update" : "program.feature.declare",
        targetType: "program-feature",
        targetId: id,
        details: { name, ...(before ? { changed } : {}) },
      });
      const feature: ProgramFeature = {
        id,
        name,
        description,
        source: "api",
        updatedAt: now,
        updatedBy: who,
      };
      return { feature, created: before === null };
    });
  };

  const service: ProgramFeaturesService = {
    async list() {
      const stored = await programFeaturesRepo.list(control.db);
      return [
        ...configured,
        ...stored.filter((f) => f.retiredAt === null && !configuredIds.has(f.id)).map(fromApi),
      ];
    },

    async program() {
      const features = (await service.list()).map((f) => ({
        id: f.id,
        name: f.name,
        description: f.description,
      }));
      return { ...deps.program, features };
    },

    async upsert(id, input, actor) {
      refuseConfigured(id);
      // A first declaration racing another for the same id loses its insert: it runs again and
      // finds the row (to update, under its lock).
      for (;;) {
        const done = await upsertOnce(id, input, actor);
        if (done) return done;
      }
    },

    async retire(id, actor) {
      refuseConfigured(id);
      return control.db.transaction().execute(async (trx) => {
        const found = await programFeaturesRepo.find(trx, control.dialect, id, "update");
        if (!found) throw notFound(`feature ${JSON.stringify(id)}`);
        if (found.retiredAt !== null)
          return { ...fromApi(found), retiredAt: found.retiredAt, retiredBy: found.retiredBy ?? "" };
        const now = clock.now();
        const who = actor.label ?? actor.id;
        await programFeaturesRepo.update(trx, id, { retired_at: now, retired_by: who });
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "program.feature.retire",
          targetType: "program-feature",
          targetId: id,
          details: { name: found.name },
        });
        return { ...fromApi(found), retiredAt: now, retiredBy: who };
      });
    },
  };
  return service;
}
