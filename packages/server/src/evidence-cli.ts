import type { Command } from "commander";
import { failureLine, verifyEvidenceFiles } from "./modules/evidence/verify-files.js";

interface CliOut {
  print(value: unknown): void;
  err(text: string): void;
  exitCode: number;
}

/** `assent evidence verify FILE…`: offline, needs no configuration and no store. */
export function evidenceCommand(program: Command, cli: CliOut): void {
  const evidence = program.command("evidence").description("signed consent records and deletion receipts");
  evidence
    .command("verify")
    .description(
      "verify signed consent records and deletion receipts offline (bundles from GET /api/tenant/evidence, or " +
        "single records/receipts); exit 1 naming the first that fails",
    )
    .argument("<files...>", "evidence files (JSON)")
    .option("--jwks <file>", "the deployment's JWKS (GET /.well-known/assent-keys.json)")
    .option("--key <file>", "one public key: PEM or JWK")
    .action(async (files: string[], opts: { jwks?: string; key?: string }) => {
      const report = await verifyEvidenceFiles(files, opts);
      const { items, ...summary } = report;
      cli.print({ ...summary, failures: items.filter((i) => !i.ok) });
      if (report.keys === "bundle")
        cli.err(
          "assent: checked against the keys inside the bundle; compare them with /.well-known/assent-keys.json or pass --jwks\n",
        );
      const line = failureLine(report);
      if (line) {
        cli.err(`assent: ${line}\n`);
        cli.exitCode = 1;
      }
    });
}
