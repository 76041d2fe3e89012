import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import type { ServiceKeyIdentity } from "../../packages/server/src/modules/service-keys/service.js";
import type { createServices } from "../../packages/server/src/wiring.js";
import { batch } from "../common.js";

type Services = Awaited<ReturnType<typeof createServices>>;

/**
 * The diagnostics' setup: one sharing tenant in `us` with a batch of 200, and 50 sharing tenants
 * over `us` and `eu` with the same 200 items spread over them, sent with one service key.
 */
export async function mixedTenants(services: Services) {
  const single = await services.tenants.createTenant({ name: "s", region: "us" }, CLI_ACTOR);
  await services.consent.setSharing(single, true, CLI_ACTOR);
  for (let i = 0; i < 50; i++) {
    const t = await services.tenants.createTenant(
      { name: `t${i}`, region: i % 2 ? "eu" : "us", externalId: `cust-${i}` },
      CLI_ACTOR,
    );
    await services.consent.setSharing(t, true, CLI_ACTOR);
  }
  const { key: secret } = await services.serviceKeys.create({ name: "b" }, CLI_ACTOR);
  const key = (await services.serviceKeys.authenticate(secret)) as ServiceKeyIdentity;
  const body = batch(200);
  const mixed = { interactions: body.interactions.map((it, i) => ({ ...it, tenant: `cust-${i % 50}` })) };
  return { single, key, body, mixed };
}
