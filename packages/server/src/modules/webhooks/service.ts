import type { Kysely } from "kysely";
import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { badRequest, conflict, notFound } from "../../errors.js";
import { isoOrNull } from "../../http/time.js";
import { newId, newSecret } from "../../ids.js";
import type {
  RegionDb,
  WebhookDeliveryState,
  WebhookDeliveryTable,
  WebhookTable,
} from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import type { TenantRef } from "../consent/types.js";
import { DEFAULT_DISPATCH, type DispatchReport, type DispatchSettings, dispatchRegion } from "./dispatch.js";
import { webhooksRepo } from "./repo.js";

export const MAX_HOOKS_PER_TENANT = 5;
const RECENT_DELIVERIES = 20;

export interface DeliveryView {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly state: WebhookDeliveryState;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly failures: number;
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
  /** The delivery log: the newest deliveries first. */
  readonly deliveries: DeliveryView[];
}

export interface WebhooksService {
  list(tenant: TenantRef): Promise<WebhookView[]>;
  /** Registers a URL; answers the hook and its secret, shown this once. */
  create(tenant: TenantRef, url: string, actor: Actor): Promise<{ webhook: WebhookView; secret: string }>;
  remove(tenant: TenantRef, id: string, actor: Actor): Promise<void>;
  /** Turns a disabled hook on again (the admin fixed the receiver). */
  enable(tenant: TenantRef, id: string, actor: Actor): Promise<WebhookView>;
  regions(): string[];
  /** One dispatcher run in a region (the `webhooks:<region>` job). */
  dispatch(region: string): Promise<DispatchReport>;
}

export interface WebhooksDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly settings?: Partial<DispatchSettings>;
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("invalid_url", "url must be an absolute http(s) URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw badRequest("invalid_url", "url must use https (or http)");
  if (parsed.username || parsed.password) throw badRequest("invalid_url", "url must not hold credentials");
  return parsed.toString();
}

const deliveryView = (d: WebhookDeliveryTable): DeliveryView => ({
  id: d.id,
  eventId: d.event_id,
  eventType: d.event_type,
  state: d.state,
  attempts: Number(d.attempts),
  lastStatus: d.last_status === null ? null : Number(d.last_status),
  lastError: d.last_error,
  createdAt: new Date(Number(d.created_at)).toISOString(),
  nextAttemptAt: d.state === "pending" ? isoOrNull(Number(d.next_attempt_at)) : null,
  deliveredAt: d.delivered_at === null ? null : new Date(Number(d.delivered_at)).toISOString(),
});

export function createWebhooksService(deps: WebhooksDeps): WebhooksService {
  const settings = { ...DEFAULT_DISPATCH, ...deps.settings };
  const storeOf = (region: string) => regionStore(deps.regions, region);
  const view = async (tenant: TenantRef, h: WebhookTable): Promise<WebhookView> => ({
    id: h.id,
    url: h.url,
    createdAt: new Date(Number(h.created_at)).toISOString(),
    createdBy: h.created_by,
    failures: Number(h.failures),
    disabledAt: h.disabled_at === null ? null : new Date(Number(h.disabled_at)).toISOString(),
    disabledReason: h.disabled_reason,
    deliveries: (
      await webhooksRepo.recentDeliveries(storeOf(tenant.region).db, tenant.id, h.id, RECENT_DELIVERIES)
    ).map(deliveryView),
  });
  /** Runs `change` and appends its audit event in one transaction. */
  const audited = async (
    tenant: TenantRef,
    actor: Actor,
    action: string,
    id: string,
    change: (trx: Kysely<RegionDb>) => Promise<void>,
  ) => {
    const store = storeOf(tenant.region);
    await store.db.transaction().execute(async (trx) => {
      await change(trx);
      await appendAudit(trx, store.dialect, deps.clock.now(), {
        actorId: actor.id,
        actorRole: actor.role,
        action,
        tenantId: tenant.id,
        targetType: "webhook",
        targetId: id,
      });
    });
  };
  const find = async (tenant: TenantRef, id: string) => {
    const hook = await webhooksRepo.find(storeOf(tenant.region).db, tenant.id, id);
    if (!hook) throw notFound(`webhook ${id}`);
    return hook;
  };

  return {
    async list(tenant) {
      const hooks = await webhooksRepo.list(storeOf(tenant.region).db, tenant.id);
      return Promise.all(hooks.map((h) => view(tenant, h)));
    },
    async create(tenant, url, actor) {
      const db = storeOf(tenant.region).db;
      if ((await webhooksRepo.list(db, tenant.id)).length >= MAX_HOOKS_PER_TENANT)
        throw conflict("too_many_webhooks", `a tenant has at most ${MAX_HOOKS_PER_TENANT} webhooks`);
      const secret = newSecret("whsec_");
      const row: WebhookTable = {
        tenant_id: tenant.id,
        id: newId(),
        url: checkUrl(url),
        secret,
        created_at: deps.clock.now(),
        created_by: actor.label ?? actor.id,
        failures: 0,
        disabled_at: null,
        disabled_reason: null,
      };
      await audited(tenant, actor, "webhook.create", row.id, (trx) => webhooksRepo.insert(trx, row));
      return { webhook: await view(tenant, row), secret };
    },
    async remove(tenant, id, actor) {
      await find(tenant, id);
      await audited(tenant, actor, "webhook.delete", id, (trx) => webhooksRepo.remove(trx, tenant.id, id));
    },
    async enable(tenant, id, actor) {
      const hook = await find(tenant, id);
      await audited(tenant, actor, "webhook.enable", id, (trx) =>
        webhooksRepo.setState(trx, id, { failures: 0, disabled_at: null, disabled_reason: null }),
      );
      return view(tenant, { ...hook, failures: 0, disabled_at: null, disabled_reason: null });
    },
    regions: () => [...deps.regions.keys()],
    dispatch: (region) => dispatchRegion({ regions: deps.regions, clock: deps.clock, settings }, region),
  };
}
