import type { EvidenceJwks } from "@assent/sdk/evidence";
import { call } from "../../api/client.js";

/** The evidence endpoints the admin center uses (kept beside its screens). */

export interface EvidenceBundle {
  readonly tenant: { readonly id: string; readonly region: string };
  readonly generatedAt: string;
  readonly records: Record<string, unknown>[];
  readonly receipts: Record<string, unknown>[];
  readonly accessLog: Record<string, unknown>[];
  readonly keys: EvidenceJwks;
}

export interface Notice {
  readonly version: string;
  readonly name: string;
  readonly text: string;
  readonly purposes: string[];
}

export interface NoticeStatus {
  readonly current: Notice;
  readonly accepted: Notice | null;
  readonly purposes: string[];
  readonly change: {
    readonly addedPurposes: string[];
    readonly removedPurposes: string[];
    readonly textChanged: boolean;
    readonly nameChanged: boolean;
  } | null;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly state: "pending" | "delivered" | "failed";
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly failures: number;
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
  readonly deliveries: WebhookDelivery[];
}

export const evidenceApi = {
  bundle: () => call<EvidenceBundle>("GET", "/api/tenant/evidence"),
  /** The published keys: what the bundle is checked against (not the keys inside it). */
  keys: () => call<EvidenceJwks>("GET", "/.well-known/assent-keys.json"),
  notice: () => call<NoticeStatus>("GET", "/api/tenant/notice"),
  acceptNotice: () => call<NoticeStatus>("POST", "/api/tenant/notice/accept"),
  webhooks: () => call<{ items: Webhook[] }>("GET", "/api/tenant/webhooks"),
  addWebhook: (url: string) =>
    call<{ webhook: Webhook; secret: string }>("POST", "/api/tenant/webhooks", { url }),
  enableWebhook: (id: string) =>
    call<Webhook>("POST", `/api/tenant/webhooks/${encodeURIComponent(id)}/enable`),
  removeWebhook: (id: string) => call<void>("DELETE", `/api/tenant/webhooks/${encodeURIComponent(id)}`),
};
