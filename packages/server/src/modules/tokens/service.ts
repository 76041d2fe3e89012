import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { badRequest, notFound } from "../../errors.js";
import { newId, newSecret, sha256Hex } from "../../ids.js";
import type { ControlDb } from "../../stores/control-schema.js";
import { type Store, writeJson } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import { type ApiTokenRow, tokensRepo } from "./repo.js";
import { isScope, SCOPES, TOKEN_PREFIX } from "./scopes.js";

/** A token as stored, and its secret: only in the answer that made it. */
export interface NewApiToken extends ApiTokenRow {
  readonly token: string;
}

export interface TokensService {
  /** Issues a token; the secret is returned here once and stored only as a hash. */
  createToken(input: { name: string; scopes: readonly string[] }, actor: Actor): Promise<NewApiToken>;
  listTokens(): Promise<ApiTokenRow[]>;
  revokeToken(id: string, actor: Actor): Promise<ApiTokenRow>;
  /** The live token behind a secret (and its last-used time moved forward), or null. */
  authenticate(secret: string): Promise<ApiTokenRow | null>;
}

export interface TokensDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
}

/** last_used_at is a "roughly when" for operators: one write a minute per token is enough. */
const TOUCH_EVERY_MS = 60_000;

/** The actor a token's own actions are recorded under: the token's id, in the role api-token. */
export const tokenActor = (t: Pick<ApiTokenRow, "id" | "name">): Actor => ({
  id: t.id,
  role: "api-token",
  label: `token '${t.name}'`,
});

export function createTokensService(deps: TokensDeps): TokensService {
  const { control, clock } = deps;
  return {
    async createToken(input, actor) {
      const name = input.name.trim();
      if (!name || name.length > 100) throw badRequest("invalid_name", "token name must be 1-100 characters");
      const unknown = input.scopes.filter((s) => !isScope(s));
      if (unknown.length > 0 || input.scopes.length === 0) {
        throw badRequest(
          "invalid_scopes",
          `scopes must be one or more of ${SCOPES.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`,
        );
      }
      const scopes = SCOPES.filter((s) => input.scopes.includes(s));
      const token = newSecret(TOKEN_PREFIX);
      const id = newId();
      const prefix = token.slice(0, TOKEN_PREFIX.length + 6);
      const now = clock.now();
      await control.db.transaction().execute(async (trx) => {
        await tokensRepo.insert(trx, {
          id,
          name,
          token_hash: sha256Hex(token),
          prefix,
          scopes: writeJson(scopes),
          created_at: now,
          created_by: actor.id,
          last_used_at: null,
          revoked_at: null,
          revoked_by: null,
        });
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "api-token.create",
          targetType: "api-token",
          targetId: id,
          details: { name, scopes },
        });
      });
      return {
        token,
        id,
        prefix,
        name,
        scopes,
        createdAt: now,
        createdBy: actor.id,
        lastUsedAt: null,
        revokedAt: null,
      };
    },

    listTokens: () => tokensRepo.list(control.db),

    async revokeToken(id, actor) {
      const now = clock.now();
      return control.db.transaction().execute(async (trx) => {
        const row = await tokensRepo.find(trx, id);
        if (!row) throw notFound(`API token ${id}`);
        if (!(await tokensRepo.revoke(trx, id, now, actor.id))) return row;
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "api-token.revoke",
          targetType: "api-token",
          targetId: id,
        });
        return { ...row, revokedAt: now };
      });
    },

    async authenticate(secret) {
      if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 128) return null;
      const row = await tokensRepo.findActiveByHash(control.db, sha256Hex(secret));
      if (!row) return null;
      const now = clock.now();
      if (row.lastUsedAt === null || row.lastUsedAt < now - TOUCH_EVERY_MS) {
        await tokensRepo.touch(control.db, row.id, now, now - TOUCH_EVERY_MS);
        return { ...row, lastUsedAt: now };
      }
      return row;
    },
  };
}
