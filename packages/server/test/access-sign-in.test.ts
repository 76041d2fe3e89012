import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS } from "../src/clock.js";
import { PASSWORD, staffMember } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("login protection on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        access: { signInMaxFailuresPerAccount: 3, signInMaxFailuresPerAddress: 5, signInLockMinutes: 10 },
      },
    });
  });
  afterAll(async () => ctx?.close());

  const signIn = (email: string, password: string, remoteAddress = "198.51.100.1") =>
    ctx.app.inject({ method: "POST", url: "/api/session", payload: { email, password }, remoteAddress });

  it("locks an account after repeated failures, even for the right password, until the lock ends", async () => {
    const user = await staffMember(ctx, ["reviewer"]);
    for (let i = 0; i < 3; i += 1) {
      const res = await signIn(user.email, "wrong password!!", `203.0.113.${i + 1}`);
      expect(res.statusCode).toBe(401);
    }
    const locked = await signIn(user.email, PASSWORD, "203.0.113.50");
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["retry-after"]).toBe(String(10 * 60));
    expect(locked.json()).toMatchObject({ error: "sign_in_locked" });
    expect(locked.json().message).toMatch(/try again in 600 seconds/);
    expect(locked.cookies).toHaveLength(0);

    ctx.clock.advance(4 * MINUTE_MS);
    const later = await signIn(user.email, PASSWORD, "203.0.113.51");
    expect(later.headers["retry-after"]).toBe(String(6 * 60));
    ctx.clock.advance(6 * MINUTE_MS);
    expect((await signIn(user.email, PASSWORD, "203.0.113.52")).statusCode).toBe(200);

    const events = await ctx.services.stores.control.db
      .selectFrom("audit_events")
      .select("action")
      .where("target_id", "=", user.id)
      .where("action", "like", "session.%")
      .orderBy("seq")
      .execute();
    const actions = events.map((e) => e.action);
    expect(actions.filter((a) => a === "session.sign-in-failed")).toHaveLength(3);
    expect(actions).toContain("session.sign-in-locked");
    expect(actions[actions.length - 1]).toBe("session.sign-in");
  });

  it("a successful sign-in clears the account's count", async () => {
    const user = await staffMember(ctx, ["reviewer"]);
    const address = "203.0.113.80";
    for (let round = 0; round < 2; round += 1) {
      expect((await signIn(user.email, "wrong password!!", address)).statusCode).toBe(401);
      expect((await signIn(user.email, "wrong password!!", address)).statusCode).toBe(401);
      expect((await signIn(user.email, PASSWORD, address)).statusCode).toBe(200);
    }
  });

  it("locks an address guessing at many accounts; other addresses are unaffected", async () => {
    const victims = await Promise.all([1, 2, 3].map(() => staffMember(ctx, ["approver"])));
    const guesser = "192.0.2.7";
    const tries = [victims[0], victims[1], victims[2], victims[0], victims[1]];
    for (const v of tries)
      expect((await signIn(v!.email, "guess guess guess", guesser)).statusCode).toBe(401);
    const blocked = await signIn(victims[2]!.email, PASSWORD, guesser);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBe(600);
    // The accounts themselves are not locked (at most two failures each): elsewhere they sign in.
    expect((await signIn(victims[2]!.email, PASSWORD, "192.0.2.8")).statusCode).toBe(200);
  });

  it("treats unknown emails like known ones, so locks reveal nothing about who exists", async () => {
    const address = "198.51.100.99";
    for (let i = 0; i < 3; i += 1) {
      expect((await signIn("nobody@nowhere.example", "whatever it is", address)).statusCode).toBe(401);
    }
    const res = await signIn("nobody@nowhere.example", "whatever it is", "198.51.100.98");
    expect(res.statusCode).toBe(429);
    const stored = await ctx.services.stores.control.db
      .selectFrom("sign_in_throttle")
      .select("key")
      .execute();
    expect(stored.some((r) => r.key.includes("nowhere") || r.key.includes("198.51"))).toBe(false);
  });

  it("sessions expire, and sign-out everywhere ends every session at once", async () => {
    const user = await staffMember(ctx, ["reviewer"]);
    const second = await signIn(user.email, PASSWORD, "198.51.100.20");
    const cookie2 = `assent_session=${second.cookies.find((c) => c.name === "assent_session")?.value}`;
    const me = (cookie: string) =>
      ctx.app.inject({ method: "GET", url: "/api/session", headers: { cookie } });
    expect((await me(user.cookie)).statusCode).toBe(200);
    expect((await me(cookie2)).statusCode).toBe(200);
    const out = await ctx.app.inject({
      method: "POST",
      url: "/api/session/sign-out-everywhere",
      headers: { "x-assent-request": "1", cookie: user.cookie },
    });
    expect(out.json().sessions).toBe(2);
    expect((await me(user.cookie)).statusCode).toBe(401);
    expect((await me(cookie2)).statusCode).toBe(401);

    await user.relogin();
    expect((await me(user.cookie)).statusCode).toBe(200);
    ctx.clock.advance(12 * HOUR_MS);
    expect((await me(user.cookie)).statusCode).toBe(401);
  });
});
