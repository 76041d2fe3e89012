import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startFakeModelServer } from "./fake-model-server.js";
import { instrumentedClient, type Library, telemetry } from "./instrumented-calls.js";

/**
 * Records `test/fixtures/otlp/lib-<library>.json` (and `.logs.json`): what each real
 * instrumentation's OTLP/HTTP JSON exporter sent for one non-streaming chat call against the
 * fake model server, merged into one request per signal. Run: `npx tsx packages/server/test/record-otlp-fixtures.ts`.
 */
const stream = process.argv.includes("--stream");
/** `--stream` records streamed calls to a scratch directory instead, to look at. */
const OUT = stream ? (process.argv.at(-1) as string) : path.join(import.meta.dirname, "fixtures", "otlp");
const libraries: Library[] = process.env.LIBS
  ? (process.env.LIBS.split(",") as Library[])
  : ["openllmetry", "openinference", "openinference-langchain", "otel-openai", "vercel-ai"];

const bodies: Record<string, Record<string, unknown>[]> = {};
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const key = req.url ?? "";
    bodies[key] ??= [];
    bodies[key].push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
const model = await startFakeModelServer();
for (const lib of libraries) {
  for (const k of Object.keys(bodies)) delete bodies[k];
  const t = telemetry(base, "fixture-key", "json", "crm-copilot");
  const client = instrumentedClient(lib, t, model.baseURL);
  await client.call({ stream });
  await t.flush();
  await t.shutdown();
  client.close();
  const merge = (key: string, field: string) => ({
    [field]: (bodies[key] ?? []).flatMap((b) => (b[field] as unknown[]) ?? []),
  });
  writeFileSync(
    path.join(OUT, `lib-${lib}.json`),
    `${JSON.stringify(merge("/v1/traces", "resourceSpans"), null, 2)}\n`,
  );
  if (bodies["/v1/logs"]?.length) {
    writeFileSync(
      path.join(OUT, `lib-${lib}.logs.json`),
      `${JSON.stringify(merge("/v1/logs", "resourceLogs"), null, 2)}\n`,
    );
  }
  console.log(lib, Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, v.length])));
}
await model.close();
sink.close();
