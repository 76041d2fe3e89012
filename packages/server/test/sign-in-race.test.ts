import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, staffUser } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/**
 * Issue 16, defect 1: the lock used to be checked before the password hash ran and the failure
 * counted after it, so concurrent guesses were all checked, and the right password among a burst
 * signed in past the lock and cleared it. Every attempt now takes its slot first.
 */
describe.each(dialects())("concurrent sign-in guesses on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        access: { signInMaxFailuresPerAccount: 5, signInMaxFailuresPerAddress: 8, signInLockMinutes: 10 },
      },
    });
  });
  afterAll(async () => ctx?.close());

  const attempt = (email: string, password: string, remoteAddress: string) =>
    ctx.app.inject({ method: "POST", url: "/api/session", payload: { email, password }, remoteAddress });
  const outcome = (res: Awaited<ReturnType<typeof attempt>>) =>
    res.statusCode === 429 ? String(res.json().error) : String(res.statusCode);
  const tally = (outcomes: string[]) =>
    outcomes.reduce<Record<string, number>>((acc, o) => {
      acc[o] = (acc[o] ?? 0) + 1;
      return acc;
    }, {});

  it("checks no more concurrent wrong guesses from one address than the account allows", async () => {
    const user = await staffUser(ctx, ["reviewer"]);
    const results = await Promise.all(
      Array.from({ length: 28 }, (_, i) => attempt(user.email, `wrong password ${i}!!`, "198.51.100.7")),
    );
    expect(tally(results.map(outcome))).toEqual({ "401": 5, sign_in_locked: 23 });
    const failed = await ctx.services.stores.control.db
      .selectFrom("audit_events")
      .select("action")
      .where("target_id", "=", user.id)
      .where("action", "=", "session.sign-in-failed")
      .execute();
    expect(failed).toHaveLength(5);
  });

  it("a burst from several addresses with the right password in it cannot sign in past the lock", async () => {
    const user = await staffUser(ctx, ["approver"]);
    const guesses = Array.from({ length: 30 }, (_, i) => ({
      password: i === 29 ? PASSWORD : `wrong password ${i}!!`,
      address: `203.0.113.${(i % 6) + 10}`,
    }));
    const results = await Promise.all(guesses.map((g) => attempt(user.email, g.password, g.address)));
    const outcomes = results.map(outcome);
    // At most the account's five slots were checked; the rest were refused unchecked.
    expect(outcomes.filter((o) => o !== "sign_in_locked").length).toBeLessThanOrEqual(5);
    expect(outcomes[29]).toBe("sign_in_locked");
    // The lock still holds: the right password is refused until it ends.
    expect(outcome(await attempt(user.email, PASSWORD, "203.0.113.99"))).toBe("sign_in_locked");
  });
});
