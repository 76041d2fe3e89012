import type {
  CreatedWebhook,
  EvidenceBundle,
  NoticeStatus,
  Webhook,
  WebhookList,
} from "@assent/sdk/contract/staff";
import type { EvidenceJwks } from "@assent/sdk/evidence";
import { call } from "../../api/client.js";

/** The evidence endpoints the admin center uses (kept beside its screens; shapes from the contract). */
export const evidenceApi = {
  bundle: () => call<EvidenceBundle>("GET", "/api/tenant/evidence"),
  /** The published keys: what the bundle is checked against (not the keys inside it). */
  keys: () => call<EvidenceJwks>("GET", "/.well-known/assent-keys.json"),
  notice: () => call<NoticeStatus>("GET", "/api/tenant/notice"),
  acceptNotice: () => call<NoticeStatus>("POST", "/api/tenant/notice/accept"),
  webhooks: () => call<WebhookList>("GET", "/api/tenant/webhooks"),
  addWebhook: (url: string) => call<CreatedWebhook>("POST", "/api/tenant/webhooks", { url }),
  enableWebhook: (id: string) =>
    call<Webhook>("POST", `/api/tenant/webhooks/${encodeURIComponent(id)}/enable`),
  removeWebhook: (id: string) => call<void>("DELETE", `/api/tenant/webhooks/${encodeURIComponent(id)}`),
};
