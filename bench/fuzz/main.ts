/** `npm run bench -- fuzz`: the route fuzz test with more cases (ASSENT_FUZZ_RUNS, default 100,000). */
import { spawnSync } from "node:child_process";

const runs = process.env.ASSENT_FUZZ_RUNS ?? "100000";
const seed = process.env.ASSENT_FUZZ_SEED ?? String(Date.now() % 1_000_000);
process.stdout.write(`fuzz: ${runs} cases, seed ${seed}\n\n`);
const res = spawnSync("npx", ["vitest", "run", "packages/server/test/fuzz.test.ts"], {
  stdio: "inherit",
  env: { ...process.env, ASSENT_FUZZ_RUNS: runs, ASSENT_FUZZ_SEED: seed },
});
process.exit(res.status ?? 1);
