import type { Clock } from "../../clock.js";
import { newId } from "../../ids.js";
import type { RegionDb, WebhookDeliveryTable, WebhookTable } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import { isPushedAction, webhookEvent } from "./events.js";
import { webhooksRepo } from "./repo.js";
import { SIGNATURE_HEADER, signBody } from "./signature.js";

export interface DispatchSettings {
  /** Consecutive failed attempts after which a hook is disabled. */
  readonly maxFailures: number;
  /** The wait before the first retry; doubled at each further failure, up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_DISPATCH: DispatchSettings = {
  maxFailures: 5,
  backoffMs: 60_000,
  maxBackoffMs: 3_600_000,
  timeoutMs: 10_000,
};

export interface DispatchReport {
  readonly region: string;
  readonly enqueued: number;
  readonly delivered: number;
  readonly failed: number;
  readonly disabled: string[];
}

/** Audit events read per run, and deliveries attempted per run, in one region. */
const SCAN = 1000;
const ATTEMPTS = 200;

/**
 * One run of a region's webhook dispatcher: turns the access and deletion events appended to the
 * region's audit chain since the last run into deliveries (one per live hook of the tenant), then
 * attempts the deliveries that are due. The audit chain is the outbox: an event exists exactly when
 * the access or purge it records committed.
 */
export async function dispatchRegion(
  deps: {
    readonly regions: ReadonlyMap<string, Store<RegionDb>>;
    readonly clock: Clock;
    readonly settings: DispatchSettings;
  },
  region: string,
): Promise<DispatchReport> {
  const { db } = regionStore(deps.regions, region);
  const { settings } = deps;
  let enqueued = 0;
  const hooks = await webhooksRepo.live(db);
  let cursor = await webhooksRepo.cursor(db);
  // First run: start where the oldest hook began (hooks hear of what happens after they exist).
  if (cursor === null) {
    if (hooks.length === 0) return { region, enqueued: 0, delivered: 0, failed: 0, disabled: [] };
    cursor = await webhooksRepo.seqBefore(db, Math.min(...hooks.map((h) => Number(h.created_at))));
    await webhooksRepo.setCursor(db, cursor);
  }
  for (;;) {
    const events = await webhooksRepo.eventsAfter(db, cursor, SCAN);
    if (events.length === 0) break;
    const rows: WebhookDeliveryTable[] = [];
    for (const e of events) {
      if (!e.tenant_id || !isPushedAction(e.action)) continue;
      for (const hook of hooks) {
        if (hook.tenant_id !== e.tenant_id || hook.created_at > Number(e.at)) continue;
        const event = webhookEvent(e);
        rows.push({
          tenant_id: hook.tenant_id,
          id: newId(),
          hook_id: hook.id,
          event_id: event.id,
          event_type: event.type,
          body: JSON.stringify(event),
          state: "pending",
          attempts: 0,
          next_attempt_at: deps.clock.now(),
          last_status: null,
          last_error: null,
          created_at: deps.clock.now(),
          delivered_at: null,
        });
      }
    }
    cursor = Number((events.at(-1) as { seq: number }).seq);
    await db.transaction().execute(async (trx) => {
      await webhooksRepo.enqueue(trx, rows);
      await webhooksRepo.setCursor(trx, cursor as number);
    });
    enqueued += rows.length;
    if (events.length < SCAN) break;
  }

  const byId = new Map(hooks.map((h) => [h.id, h]));
  const failures = new Map(hooks.map((h) => [h.id, Number(h.failures)]));
  const disabled: string[] = [];
  let delivered = 0;
  let failed = 0;
  for (const d of await webhooksRepo.due(db, deps.clock.now(), ATTEMPTS)) {
    const hook = byId.get(d.hook_id);
    if (!hook || disabled.includes(hook.id)) {
      await webhooksRepo.updateDelivery(db, d.id, { state: "failed", last_error: "the webhook is disabled" });
      continue;
    }
    const outcome = await attempt(hook, d, settings.timeoutMs);
    const attempts = Number(d.attempts) + 1;
    const now = deps.clock.now();
    if (outcome.ok) {
      delivered++;
      await webhooksRepo.updateDelivery(db, d.id, {
        state: "delivered",
        attempts,
        last_status: outcome.status,
        last_error: null,
        delivered_at: now,
      });
      if ((failures.get(hook.id) ?? 0) > 0) {
        failures.set(hook.id, 0);
        await webhooksRepo.setState(db, hook.id, { failures: 0 });
      }
      continue;
    }
    failed++;
    const count = (failures.get(hook.id) ?? 0) + 1;
    failures.set(hook.id, count);
    const wait = Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** (attempts - 1));
    await webhooksRepo.updateDelivery(db, d.id, {
      attempts,
      next_attempt_at: now + wait,
      last_status: outcome.status,
      last_error: outcome.error,
    });
    if (count >= settings.maxFailures) {
      const reason = `disabled after ${count} failed deliveries in a row (last: ${outcome.error})`;
      await db.transaction().execute(async (trx) => {
        await webhooksRepo.setState(trx, hook.id, {
          failures: count,
          disabled_at: now,
          disabled_reason: reason,
        });
        await webhooksRepo.failPending(trx, hook.id, reason);
      });
      disabled.push(hook.id);
    } else await webhooksRepo.setState(db, hook.id, { failures: count });
  }
  return { region, enqueued, delivered, failed, disabled };
}

interface Outcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/** One POST. Only the status is kept of the answer: a receiver's body is never read or stored. */
async function attempt(hook: WebhookTable, d: WebhookDeliveryTable, timeoutMs: number): Promise<Outcome> {
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: signBody(hook.secret, d.body),
        "assent-delivery": d.id,
        "assent-event": d.event_type,
        "user-agent": "assent-webhooks/1",
      },
      body: d.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const code = e.name === "TimeoutError" ? "timeout" : (e.cause?.code ?? e.name);
    return { ok: false, status: null, error: `not delivered (${code})` };
  }
}
