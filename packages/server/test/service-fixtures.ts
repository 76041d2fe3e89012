import { CLI_ACTOR } from "../src/actor.js";
import type { TestContext } from "./harness.js";

let seq = 0;

export interface ServiceTenant {
  readonly id: string;
  readonly region: string;
  readonly externalId: string;
}

/** Tenants for service-key tests: `count` per region, each with an external id, sharing off. */
export async function serviceTenants(
  ctx: TestContext,
  perRegion: Record<string, number>,
): Promise<ServiceTenant[]> {
  const made: ServiceTenant[] = [];
  for (const [region, count] of Object.entries(perRegion)) {
    for (let i = 0; i < count; i++) {
      seq += 1;
      const externalId = `cust-${Date.now().toString(36)}-${seq}`;
      const t = await ctx.services.tenants.createTenant(
        { name: `Svc ${seq}`, region, externalId },
        CLI_ACTOR,
      );
      made.push({ id: t.id, region, externalId });
    }
  }
  return made;
}

export async function serviceKey(ctx: TestContext, regions?: string[]) {
  return ctx.services.serviceKeys.create(
    { name: `svc-${++seq}`, ...(regions ? { regions } : {}) },
    CLI_ACTOR,
  );
}

export function share(ctx: TestContext, t: { id: string; region: string }, enabled: boolean) {
  return ctx.services.consent.setSharing({ id: t.id, region: t.region }, enabled, CLI_ACTOR);
}
