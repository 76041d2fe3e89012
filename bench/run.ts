/**
 * `npm run bench [-- name…]`: runs the benchmarks one after another (never in parallel: the
 * machine has two cores) and prints each one's table. Figures are ratios measured side by side
 * in one run; absolute numbers vary with the machine.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** name → script; each prints a Markdown table on stdout and exits non-zero on failure. */
const BENCHES: Record<string, string> = {
  ingest: "ingest/main.ts",
  deletion: "deletion/main.ts",
  sdk: "sdk/main.ts",
  reads: "reads/main.ts",
  overload: "overload/main.ts",
  fuzz: "fuzz/main.ts",
  "multi-tenant": "multi-tenant/main.ts",
  "sdk-tenants": "sdk-tenants/main.ts",
  evidence: "evidence/main.ts",
  scopes: "scopes/main.ts",
  scale: "scale/main.ts",
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
/** Flags (`--10m`) go to every benchmark run. */
const flags = process.argv.slice(2).filter((a) => a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(BENCHES);
let failed = false;
for (const name of names) {
  const script = BENCHES[name];
  if (!script) {
    process.stderr.write(`unknown benchmark "${name}" (known: ${Object.keys(BENCHES).join(", ")})\n`);
    process.exit(2);
  }
  process.stdout.write(`\n## ${name}\n\n`);
  const res = spawnSync(
    process.execPath,
    ["--conditions=@assent/source", "--import", "tsx", path.join(here, script), ...flags],
    { stdio: "inherit" },
  );
  if (res.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
