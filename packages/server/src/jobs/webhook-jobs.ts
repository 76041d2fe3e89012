import type { WebhooksService } from "../modules/webhooks/service.js";
import type { JobDefinition } from "./scheduler.js";

/** Per region, the webhook dispatcher: new access and deletion events out, due retries again. */
export function webhookJobs(webhooks: WebhooksService): JobDefinition[] {
  return webhooks.regions().map(
    (region): JobDefinition => ({
      lease: `webhooks:${region}`,
      job: "webhooks",
      region,
      async run() {
        const result = await webhooks.dispatch(region);
        return { result, notable: result.enqueued + result.delivered + result.failed > 0 };
      },
    }),
  );
}
