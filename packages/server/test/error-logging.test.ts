import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { createTestContext, type TestContext } from "./harness.js";

describe("internal errors", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite");
  });
  afterAll(async () => ctx?.close());

  it("answer a bare 500 and log the error's kind and frames, never its message", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp(ctx.services, { loggerInstance: pino({ level: "info" }, stream) });
    const marker = `DRIVERMESSAGE-${Math.random().toString(36).slice(2)}`;
    // A failure whose message quotes data, as a driver's might.
    app.get("/boom", async () => {
      throw new TypeError(`value "${marker}" is not valid`);
    });
    try {
      const res = await app.inject({ method: "GET", url: "/boom" });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: "internal", message: "internal error" });
      const logged = lines.join("\n");
      expect(logged).toContain("request failed");
      expect(logged).toContain("TypeError");
      expect(logged).toMatch(/error-logging\.test\.ts/);
      expect(logged).not.toContain(marker);
    } finally {
      await app.close();
    }
  });
});
