import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type EvidenceJwks,
  type EvidenceReport,
  isConsentRecord,
  verifyEvidence,
} from "@assent/sdk/evidence";
import { thumbprint } from "../../crypto/signing-keys.js";
import { badRequest } from "../../errors.js";

/** What `assent evidence verify` checks against: a JWKS file, a key file, or the bundles' own keys. */
export interface KeySource {
  readonly jwks?: string;
  readonly key?: string;
}

export interface FileReport extends EvidenceReport {
  /** Where the public keys came from; `bundle` means only self-consistency was shown. */
  readonly keys: string;
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw badRequest(
      "unreadable_file",
      `${file}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("invalid_json", `${file} is not JSON`);
  }
}

/** A key file: a JWKS, one JWK, or a PEM public key (its kid is its RFC 7638 thumbprint). */
function loadKeys(source: KeySource): EvidenceJwks | null {
  if (source.jwks) {
    const jwks = readJsonFile(source.jwks) as EvidenceJwks;
    if (!Array.isArray(jwks?.keys))
      throw badRequest("invalid_jwks", `${source.jwks} is not a JWK Set ({"keys": […]})`);
    return jwks;
  }
  if (!source.key) return null;
  const text = readFileSync(source.key, "utf8");
  if (text.trimStart().startsWith("{")) {
    const parsed = JSON.parse(text) as EvidenceJwks & { x?: string };
    if (Array.isArray(parsed.keys)) return parsed;
    if (typeof parsed.x !== "string") throw badRequest("invalid_key", `${source.key} is not an Ed25519 JWK`);
    return { keys: [{ kty: "OKP", crv: "Ed25519", x: parsed.x, kid: thumbprint(parsed.x) }] };
  }
  let x: string;
  try {
    x = (createPublicKey(text).export({ format: "jwk" }) as { x?: string; crv?: string }).x ?? "";
  } catch {
    throw badRequest("invalid_key", `${source.key} is not a PEM public key`);
  }
  return { keys: [{ kty: "OKP", crv: "Ed25519", x, kid: thumbprint(x) }] };
}

/**
 * Verifies the records and receipts in `files` (bundles from GET /api/tenant/evidence, arrays, or
 * single records/receipts). Offline: nothing but the files and the key source is read.
 */
export async function verifyEvidenceFiles(files: readonly string[], source: KeySource): Promise<FileReport> {
  const records: unknown[] = [];
  const receipts: unknown[] = [];
  const bundleKeys: EvidenceJwks["keys"] = [];
  const take = (item: unknown) => (isConsentRecord(item) ? records : receipts).push(item);
  for (const file of files) {
    const content = readJsonFile(file);
    if (Array.isArray(content)) content.forEach(take);
    else if (content && typeof content === "object" && ("records" in content || "receipts" in content)) {
      const b = content as { records?: unknown[]; receipts?: unknown[]; keys?: EvidenceJwks };
      records.push(...(b.records ?? []));
      receipts.push(...(b.receipts ?? []));
      bundleKeys.push(...(b.keys?.keys ?? []));
    } else take(content);
  }
  const given = loadKeys(source);
  if (!given && bundleKeys.length === 0)
    throw badRequest(
      "no_keys",
      "no public keys: pass --jwks FILE (/.well-known/assent-keys.json) or --key FILE",
    );
  const report = await verifyEvidence({ records, receipts }, given ?? { keys: bundleKeys });
  return { ...report, keys: source.jwks ?? source.key ?? "bundle" };
}

/** The one-line message naming the first failure. */
export function failureLine(report: EvidenceReport): string | null {
  const f = report.firstFailure;
  if (!f) return null;
  const item = report.items.find((i) => i.id === f.id && i.item === f.item);
  return `${f.item} ${f.id}${item ? ` (${item.kind})` : ""} ${f.problem}`;
}
