import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { canonicalJson, payloadOf, recordHash, sha256Hex } from "./canonical.js";
import type {
  ConsentRecord,
  EvidenceFailure,
  EvidenceJwks,
  EvidenceReport,
  ItemResult,
  SignedReceipt,
} from "./types.js";

/**
 * Verifies consent records and deletion receipts offline against a JWKS: each signature, each
 * record against its signed payload, each tenant's chain of records (nothing dropped, reordered or
 * edited), each receipt's hash, deadline and the opt-out it answers. Runs the same in Node.js and
 * in browsers (jose over WebCrypto), so the admin center and `assent evidence verify` agree.
 */

type Obj = Record<string, unknown>;
type VerifyKey = Awaited<ReturnType<typeof importJWK>>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const time = (v: unknown): number | null => {
  const s = str(v);
  const t = s === null ? Number.NaN : Date.parse(s);
  return Number.isFinite(t) ? t : null;
};

/** The first top-level member where two objects differ (for a message naming what was edited). */
function firstDifference(a: Obj, b: Obj): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.find((k) => canonicalJson(a[k]) !== canonicalJson(b[k])) ?? "(order)";
}

interface Checked {
  kid: string | null;
  problems: string[];
}

async function checkSignature(item: Obj, keys: Map<string, VerifyKey>): Promise<Checked> {
  const jws = str(item.jws);
  if (!jws) return { kid: null, problems: ["has no signature (jws)"] };
  let kid: string | null = null;
  try {
    const header = decodeProtectedHeader(jws);
    kid = str(header.kid);
    if (header.alg !== "EdDSA" && header.alg !== "Ed25519")
      return { kid, problems: [`is signed with alg ${String(header.alg)}, not EdDSA`] };
  } catch {
    return { kid: null, problems: ["has a jws that is not a compact JWS"] };
  }
  const key = kid ? keys.get(kid) : undefined;
  if (!key) return { kid, problems: [`is signed by key ${kid ?? "(no kid)"}, which is not in the key set`] };
  let payload: unknown;
  try {
    const out = await compactVerify(jws, key, { algorithms: ["EdDSA", "Ed25519"] });
    payload = JSON.parse(new TextDecoder().decode(out.payload));
  } catch {
    return { kid, problems: [`has a signature that does not verify with key ${kid}`] };
  }
  const body = payloadOf(item) as Obj;
  if (!isObj(payload) || canonicalJson(payload) !== canonicalJson(body))
    return {
      kid,
      problems: [
        `differs from what was signed (field ${isObj(payload) ? firstDifference(body, payload) : "?"})`,
      ],
    };
  return { kid, problems: [] };
}

async function importKeys(jwks: EvidenceJwks): Promise<Map<string, VerifyKey>> {
  const out = new Map<string, VerifyKey>();
  for (const jwk of jwks.keys ?? []) {
    if (!jwk.kid || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") continue;
    out.set(jwk.kid, await importJWK({ ...(jwk as JWK), alg: "EdDSA" }, "EdDSA"));
  }
  return out;
}

async function checkChains(records: readonly ConsentRecord[], problems: Map<ConsentRecord, string[]>) {
  const byTenant = new Map<string, ConsentRecord[]>();
  for (const r of records) {
    const t = isObj(r.tenant) ? String(r.tenant.id) : "?";
    byTenant.set(t, [...(byTenant.get(t) ?? []), r]);
  }
  for (const [tenant, list] of byTenant) {
    const sorted = [...list].sort((a, b) => Number(a.seq) - Number(b.seq));
    let prev: ConsentRecord | null = null;
    for (const r of sorted) {
      const add = (p: string) => (problems.get(r) as string[]).push(p);
      if (!Number.isInteger(r.seq) || r.seq < 1) add("has no valid seq");
      else if (prev === null) {
        if (r.seq !== 1) add(`follows a missing record: tenant ${tenant}'s chain starts at seq ${r.seq}`);
        else if (r.previous !== null) add("is the first record but names a previous record");
      } else if (r.seq === prev.seq) add(`has the same seq (${r.seq}) as record ${prev.id}`);
      else if (r.seq !== prev.seq + 1)
        add(`follows a missing record: seq ${prev.seq + 1}..${r.seq - 1} of tenant ${tenant} is not there`);
      else if (r.previous !== (await recordHash(prev)))
        add(`does not chain to record ${prev.id}: its previous hash differs from that record's hash`);
      prev = r;
    }
  }
}

async function checkReceipt(r: SignedReceipt, records: readonly ConsentRecord[]): Promise<string[]> {
  const out: string[] = [];
  const { hash: _h, ...unhashed } = payloadOf(r) as SignedReceipt;
  if (r.hash !== (await sha256Hex(canonicalJson(unhashed))))
    out.push("has a hash that does not match its content");
  const completed = time(r.completedAt);
  const deleteBy = time(r.deleteBy);
  if (completed === null) out.push("has no valid completedAt");
  else if (deleteBy !== null && completed > deleteBy)
    out.push(`was completed after its deadline (deleteBy ${r.deleteBy}, completedAt ${r.completedAt})`);
  const keysAt = time(r.keysDestroyedAt);
  if (keysAt !== null && deleteBy !== null && keysAt > deleteBy)
    out.push(
      `destroyed its keys after the deadline (deleteBy ${r.deleteBy}, keysDestroyedAt ${r.keysDestroyedAt})`,
    );
  // A period purge answers the opt-out that closed its period: check it against that record when
  // the tenant's records are part of the evidence.
  const tenantRecords = records.filter((x) => isObj(x.tenant) && x.tenant.id === r.tenantId);
  if (r.periodId && tenantRecords.length > 0 && (r.kind === "withdrawal" || r.kind === "delete-now")) {
    const optOut = tenantRecords.find((x) => x.kind === "sharing.disable" && x.periodId === r.periodId);
    if (!optOut) out.push(`answers no opt-out record of period ${r.periodId}`);
    else {
      const outAt = time(optOut.time);
      if (completed !== null && outAt !== null && completed < outAt)
        out.push(`was completed before the opt-out it answers (record ${optOut.id})`);
      if (r.deleteBy !== optOut.deleteBy)
        out.push(`has deadline ${r.deleteBy}, the opt-out record ${optOut.id} promised ${optOut.deleteBy}`);
    }
  }
  return out;
}

/** Tells a record from a receipt by shape (for single files). */
export const isConsentRecord = (v: unknown): v is ConsentRecord =>
  isObj(v) && v.type === "assent.consent-record/v1";

export async function verifyEvidence(
  input: { records: readonly unknown[]; receipts: readonly unknown[] },
  jwks: EvidenceJwks,
): Promise<EvidenceReport> {
  const keys = await importKeys(jwks);
  const records = input.records.filter(isObj) as unknown as ConsentRecord[];
  const receipts = input.receipts.filter(isObj) as unknown as SignedReceipt[];
  const problems = new Map<ConsentRecord, string[]>();
  const kids = new Map<object, string | null>();
  for (const r of records) {
    const c = await checkSignature(r as unknown as Obj, keys);
    problems.set(r, c.problems);
    kids.set(r, c.kid);
  }
  await checkChains(records, problems);
  const items: ItemResult[] = records.map((r) => ({
    item: "record",
    id: String(r.id),
    kind: String(r.kind),
    kid: kids.get(r) ?? null,
    problems: problems.get(r) ?? [],
    ok: (problems.get(r) ?? []).length === 0,
  }));
  for (const r of receipts) {
    const c = await checkSignature(r as unknown as Obj, keys);
    const all = [...c.problems, ...(await checkReceipt(r, records))];
    items.push({
      item: "receipt",
      id: String(r.id),
      kind: String(r.kind),
      kid: c.kid,
      problems: all,
      ok: !all.length,
    });
  }
  const bad = items.find((i) => !i.ok);
  const firstFailure: EvidenceFailure | null = bad
    ? { item: bad.item, id: bad.id, problem: bad.problems[0] as string }
    : null;
  return { ok: !bad, records: records.length, receipts: receipts.length, items, firstFailure };
}
