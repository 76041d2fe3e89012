import { describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../server/src/actor.js";
import { serviceKey, serviceTenants } from "../../server/test/service-fixtures.js";
import { sleep, storedCount, until } from "./live-server.js";
import { liveSuite } from "./support.js";

const FEATURES = ["sales.email-draft", "hr.summary"].map((id) => ({ id, name: id, description: "" }));

const interaction = (feature: string, subject?: string) => ({
  feature,
  input: "prompt",
  output: "answer",
  ...(subject ? { subject } : {}),
});

describe("the SDK follows the tenant's consent scopes", () => {
  const live = liveSuite({ config: { program: { features: FEATURES } } });

  it("drops unshared features and excluded subjects locally; a change reaches it within a second", async () => {
    const t = await live.tenant(false);
    const ref = { id: t.id, region: t.region };
    const consent = live.server.ctx.services.consent;
    const scopes = live.server.ctx.services.scopes;
    await consent.setSharing(ref, true, CLI_ACTOR, ["sales.email-draft"]);
    const c = live.client(t.key);
    const ready = await c.ready(5000);
    expect(ready).toMatchObject({ sharing: "on", features: ["sales.email-draft"] });
    expect(c.isSharing(undefined, "hr.summary")).toBe(false);
    expect(c.isSharing(undefined, "sales.email-draft")).toBe(true);

    expect(c.capture(interaction("hr.summary"))).toBe(false);
    expect(c.counters.dropped.consentOff).toBe(1);

    // An exclusion made at the server reaches the client within a second.
    let changed = Date.now();
    await scopes.exclude(ref, "user-42", CLI_ACTOR, "admin");
    await until(() => c.isExcluded("user-42"), 1000, "the exclusion to reach the SDK");
    expect(Date.now() - changed).toBeLessThan(1000);
    expect(c.isExcluded("user-7")).toBe(false);
    expect(c.capture(interaction("sales.email-draft", "user-42"))).toBe(false);
    expect(c.counters.dropped.excluded).toBe(1);
    expect(c.capture(interaction("sales.email-draft", "user-7"))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.sent).toBe(1);
    expect(await storedCount(live.server.ctx, t)).toBe(1);

    // A change of features too.
    changed = Date.now();
    await consent.setSharing(ref, true, CLI_ACTOR, ["hr.summary"]);
    await until(() => c.isSharing(undefined, "hr.summary"), 1000, "the new features to reach the SDK");
    expect(Date.now() - changed).toBeLessThan(1000);
    expect(c.capture(interaction("sales.email-draft"))).toBe(false);
    expect(c.capture(interaction("hr.summary"))).toBe(true);
    // Lifting the exclusion lets that subject's interactions go again.
    await scopes.lift(ref, { subject: "user-42" }, CLI_ACTOR);
    await until(() => !c.isExcluded("user-42"), 1000, "the lift to reach the SDK");
    expect(c.capture(interaction("hr.summary", "user-42"))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    await sleep(100);
    expect(c.counters.sent).toBe(3);
    // The wire carried no excluded subject's interaction: the server dropped none.
    expect(c.counters.dropped.server).toBe(0);
  });

  it("with a service key: drops excluded subjects' items locally per tenant; an exclusion reaches it within a second", async () => {
    const ctx = live.server.ctx;
    const [a, b] = await serviceTenants(ctx, { us: 1, eu: 1 });
    if (!a || !b) throw new Error("no tenants");
    const scopes = ctx.services.scopes;
    for (const t of [a, b]) await ctx.services.consent.setSharing(t, true, CLI_ACTOR);
    // Excluded before the client connects: its snapshot carries it.
    await scopes.exclude(a, "user-42", CLI_ACTOR, "admin");
    const c = live.client((await serviceKey(ctx)).key);
    expect((await c.ready(5000)).tenants).toMatchObject({ known: true, confirmed: true });
    const item = (tenant: string, subject: string) => ({
      tenant,
      ...interaction("sales.email-draft", subject),
    });

    // Per tenant, by Assent's id or the vendor's external id: the same subject may be excluded by one only.
    expect(c.isExcluded("user-42", a.id)).toBe(true);
    expect(c.isExcluded("user-42", a.externalId)).toBe(true);
    expect(c.isExcluded("user-42", b.id)).toBe(false);
    expect(c.isExcluded("user-42")).toBe(false);
    expect(c.capture(item(a.externalId, "user-42"))).toBe(false);
    expect(c.counters.dropped.excluded).toBe(1);
    expect(c.capture(item(b.id, "user-42"))).toBe(true);
    expect(c.capture(item(a.id, "user-7"))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.sent).toBe(2);

    // An exclusion made while the stream is open reaches the client within a second.
    const changed = Date.now();
    await scopes.exclude(b, "user-42", CLI_ACTOR, "objection");
    await until(
      () => c.isExcluded("user-42", b.externalId),
      5000,
      "the exclusion to reach the service-key SDK",
    );
    const took = Date.now() - changed;
    expect(took).toBeLessThan(1000);
    expect(c.capture(item(b.id, "user-42"))).toBe(false);
    expect(c.counters.dropped.excluded).toBe(2);
    await sleep(100);
    // The wire carried no excluded subject's interaction: the server dropped none.
    expect(c.counters).toMatchObject({ sent: 2, dropped: { server: 0 } });
    expect(await storedCount(ctx, a)).toBe(1);
    expect(await storedCount(ctx, b)).toBe(1);

    // Lifting it lets that subject go again.
    await scopes.lift(b, { subject: "user-42" }, CLI_ACTOR);
    await until(() => !c.isExcluded("user-42", b.id), 5000, "the lift to reach the service-key SDK");
    expect(c.capture(item(b.id, "user-42"))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.sent).toBe(3);
  });
});
