import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "./support.js";

describe("the web app's Content-Security-Policy in a real browser", () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => e2e?.close());

  it("runs the app's own script and refuses an injected inline one", async () => {
    const page = await e2e.newPage();
    const res = await page.goto("/");
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(e2e.takeProblems()).toEqual([]);

    // As strings: this file is type-checked without the DOM library.
    await page.evaluate(
      'const s = document.createElement("script"); s.textContent = "window.injected = true;"; document.body.append(s);',
    );
    expect(await page.evaluate("typeof window.injected")).toBe("undefined");
    await expect
      .poll(() => e2e.takeProblems().join("\n"), { timeout: 5000 })
      .toMatch(/Content Security Policy/);
  });
});
