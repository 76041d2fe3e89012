import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { webAppBuilt } from "../packages/server/src/http/web-routes.js";
import { PASSWORD } from "../packages/server/test/fixtures.js";
import { createTestContext, type TestContext } from "../packages/server/test/harness.js";

export { PASSWORD };

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = process.env.ASSENT_E2E_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface E2E {
  readonly ctx: TestContext;
  readonly url: string;
  readonly browser: Browser;
  /** A fresh browser context (its own cookies) with a page that records problems. */
  newPage(): Promise<Page>;
  /**
   * Console and page errors since the last call (then forgotten), minus the 401/403/409 answers
   * the app expects and shows; a CSP violation or a script error shows up here.
   */
  takeProblems(): string[];
  close(): Promise<void>;
}

/** A real server over a temporary SQLite data dir, listening on loopback, and a headless Chromium. */
export async function startE2E(): Promise<E2E> {
  if (!webAppBuilt())
    throw new Error("the web app is not built: run `npm run build` first (npm run test:e2e does)");
  const ctx = await createTestContext("sqlite");
  const url = await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  return {
    ctx,
    url,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        const text = msg.text();
        // Expected answers show up as failed loads: 401 before sign-in or after expiry, and
        // the refusals a test provokes on purpose (each is asserted on screen).
        if (/Failed to load resource: the server responded with a status of (401|403|409)/.test(text)) return;
        problems.push(`console: ${text}`);
      });
      return page;
    },
    takeProblems: () => problems.splice(0, problems.length),
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await ctx.close();
    },
  };
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** With ASSENT_E2E_SCREENSHOTS=<dir>, saves a full-page screenshot there (for looking, not asserting). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.ASSENT_E2E_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Waits until `locator` holds `text` (playwright-core has no expect of its own). */
export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeout = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeout;
  let last = "";
  for (;;) {
    last = (await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => "")) ?? "";
    if (typeof text === "string" ? last.includes(text) : text.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`expected ${String(text)} in: ${last.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polling every 300 ms instead of 10 s, set before the app's scripts run (see LIVE_MS in queries.ts). */
export async function fastPolling(page: Page, ms = 300): Promise<void> {
  await page.addInitScript(`window.localStorage.setItem("assent:poll-ms", "${ms}")`);
}

let axeSource: string | null = null;

/**
 * axe-core's serious and critical violations on the page as it is now, one line each. axe is
 * evaluated over the DevTools protocol, so the app's Content-Security-Policy stays as it is.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  // A string, evaluated in the page (these tests are compiled without the DOM's types).
  const violations = await page.evaluate<
    { id: string; impact: string | null; help: string; targets: string[] }[]
  >(
    `axe.run(document).then((r) => r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    })))`,
  );
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(", ")}`);
}
