import { type CliIo, runCli } from "../src/main.js";

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs an `assent` command in this process, through the same `runCli` entry `bin/assent.js` uses,
 * with its output captured: seconds faster than a new process per command.
 */
export async function assent(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    env: { ASSENT_LOG_LEVEL: "silent", ...opts.env },
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    stdin: async () => (opts.input ?? "").replace(/\r?\n$/, ""),
  };
  const status = await runCli(["node", "assent", ...args], io);
  return { status, stdout, stderr };
}
