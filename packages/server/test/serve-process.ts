import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_ACTOR } from "../src/actor.js";
import { loadConfig } from "../src/config.js";
import { createServices } from "../src/wiring.js";

const cliEntry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const builtEntry = fileURLToPath(new URL("../bin/assent.js", import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
  /** Everything the process wrote on stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Written as the configuration file (ASSENT_CONFIG). */
  readonly config?: Record<string, unknown>;
  /** Make the tenant `acme` and its key first (default); false when the stores are set up already. */
  readonly tenant?: boolean;
  /**
   * Run the compiled command (`bin/assent.js`, dist/) as deployed, not the sources through tsx
   * (whose loader thread and transforms add ~60 MB): for benchmarks after `npm run build`.
   */
  readonly built?: boolean;
}

/**
 * A real `assent serve` process (on SQLite unless `env` names other stores) in a fresh data directory, on a free port, with a
 * tenant `acme` and its ingestion key made beforehand (in this process: quicker than the CLI).
 */
export async function startServe(opts: ServeOptions = {}): Promise<ServeProcess & { key: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "assent-serve-"));
  const configFile = path.join(dataDir, "assent.json");
  writeFileSync(configFile, JSON.stringify(opts.config ?? {}));
  const fullEnv = {
    ...process.env,
    ASSENT_DATA_DIR: dataDir,
    ASSENT_PORT: "0",
    ASSENT_CONFIG: configFile,
    ...opts.env,
  };
  let key = "";
  if (opts.tenant !== false) {
    const services = await createServices(loadConfig(fullEnv));
    try {
      await services.tenants.createTenant({ name: "Acme", region: "us", id: "acme" }, CLI_ACTOR);
      key = (await services.tenants.createKey("acme", CLI_ACTOR)).key;
    } finally {
      await services.close();
    }
  }
  const child = spawn(
    process.execPath,
    opts.built
      ? [builtEntry, "serve"]
      : ["--conditions=@assent/source", "--import", "tsx", cliEntry, "serve"],
    {
      env: fullEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`assent serve did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /Assent is running at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(deadline);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", check);
    void exited.then(() => reject(new Error(`assent serve exited:\n${out}`)));
  });
  return {
    child,
    url,
    key,
    dataDir,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
