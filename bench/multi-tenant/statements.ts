/**
 * Diagnostic for the multi-tenant ingest gap on SQLite: where one batch's time goes, statement by
 * statement (SQL text prefix, ms per batch), for batches of 200 for ONE tenant next to the same
 * batches over 50 tenants in two regions, twice (the second pass on the grown tables).
 * `node --import tsx bench/multi-tenant/statements.ts` (N=batches per pass; PRAGMA=an SQL
 * statement run on both region stores first, e.g. "pragma cache_size=-65536").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { parseConfig } from "../../packages/server/src/config.js";
import { createServices } from "../../packages/server/src/wiring.js";
import { mixedTenants } from "./tenants.js";

const dir = mkdtempSync(path.join(tmpdir(), "assent-prof-"));
const services = await createServices(parseConfig({ dataDir: dir, logLevel: "warn" }));
const times = new Map<string, { n: number; ms: number }>();
let mode = "x";
for (const [name, store] of services.stores.regions) {
  const sqlite = (store as unknown as { sqlite: Database.Database }).sqlite;
  const prep = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((src: string) => {
    const st = prep(src);
    const key = () => `${mode} ${name} ${src.slice(0, 60)}`;
    const wrap = (fn: "run" | "all" | "get") => {
      const orig = (st[fn] as (...a: unknown[]) => unknown).bind(st);
      return (...a: unknown[]) => {
        const t = performance.now();
        try {
          return orig(...a);
        } finally {
          const e = times.get(key()) ?? { n: 0, ms: 0 };
          e.n++;
          e.ms += performance.now() - t;
          times.set(key(), e);
        }
      };
    };
    return new Proxy(st, {
      get: (t, p) =>
        p === "run" || p === "all" || p === "get"
          ? wrap(p)
          : (Reflect.get(t, p).bind?.(t) ?? Reflect.get(t, p)),
    });
  }) as typeof sqlite.prepare;
}
if (process.env.PRAGMA)
  for (const s of services.stores.regions.values())
    (s as unknown as { sqlite: Database.Database }).sqlite.exec(process.env.PRAGMA);
const { single, key, body, mixed } = await mixedTenants(services);
const N = Number(process.env.N ?? 40);
for (const m of ["single", "mixed", "single", "mixed"]) {
  mode = m;
  times.clear();
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    if (m === "single")
      await services.capture.ingestBatch({ id: single.id, region: "us", externalId: null }, body);
    else await services.serviceCapture.ingestBatch(key, mixed);
  }
  const el = performance.now() - t;
  console.log(`${m}: ${(((N * 200) / el) * 1000).toFixed(0)}/s, ${(el / N).toFixed(1)} ms/batch`);
  for (const [k, v] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
    console.log(`  ${(v.ms / N).toFixed(2)} ms/batch  n=${v.n / N}  ${k}`);
}
await services.close();
rmSync(dir, { recursive: true, force: true });
