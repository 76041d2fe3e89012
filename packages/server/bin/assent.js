#!/usr/bin/env node
// The `assent` command: the compiled CLI lives in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("assent: not built yet; run `npm run build` in the repository root\n");
  process.exit(2);
}
await import(entry.href);
