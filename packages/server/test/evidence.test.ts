import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { DAY_MS } from "../src/clock.js";
import { rotateSigningKey } from "../src/crypto/signing-keys.js";
import { createServices } from "../src/wiring.js";
import { assent } from "./cli-run.js";
import {
  ingest,
  item,
  setSharing,
  signIn,
  staffUser,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

type Json = Record<string, unknown>;
interface Bundle {
  records: Json[];
  receipts: Json[];
  accessLog: Json[];
  keys: { keys: Json[] };
}

const WITHDRAWAL_DAYS = 2;
const RETENTION_DAYS = 3;

describe.each(dialects())("evidence on %s", (dialect) => {
  let ctx: TestContext;
  let t: TenantFixture;
  let late: TenantFixture;
  let bundle: Bundle;
  let jwksFile: string;
  let bundleFile: string;

  const get = (url: string, cookie?: string) =>
    ctx.app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
  const file = (name: string, content: unknown) => {
    const f = path.join(ctx.dataDir, name);
    writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
    return f;
  };
  const verify = (...args: string[]) => assent(["evidence", "verify", ...args]);
  const sendOne = async (who: TenantFixture) => {
    ctx.clock.advance(1000);
    const res = await ingest(ctx, who.key, [
      item({ occurredAt: new Date(ctx.clock.now() - 500).toISOString() }),
    ]);
    expect(res.json().accepted).toBe(1);
  };

  /** Moves the clock (past session lifetimes too) and signs both admins in again. */
  const advance = async (ms: number) => {
    ctx.clock.advance(ms);
    t = { ...t, adminCookie: await signIn(ctx, t.adminEmail) };
    late = { ...late, adminCookie: await signIn(ctx, late.adminEmail) };
  };

  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        program: {
          withdrawalDeleteDays: WITHDRAWAL_DAYS,
          retentionDays: RETENTION_DAYS,
          features: [
            { id: "sales.draft", name: "Sales drafts", description: "Drafts sales emails" },
            { id: "hr.answers", name: "HR answers", description: "Answers HR questions" },
          ],
        },
      },
    });
    t = await tenantWithAdmin(ctx);
    late = await tenantWithAdmin(ctx);
    // Every kind of record and receipt: opt-in, retention, opt-out + delete-now, opt-in, opt-out +
    // withdrawal on time, opt-in, a notice accepted.
    await setSharing(ctx, t, true);
    await sendOne(t);
    await advance((RETENTION_DAYS + 1) * DAY_MS);
    expect((await ctx.services.retention.sweepRetention("us")).receipts).toHaveLength(1);
    await sendOne(t);
    await setSharing(ctx, t, false);
    const del = await ctx.app.inject({
      method: "POST",
      url: "/api/tenant/sharing/delete-now",
      headers: { cookie: t.adminCookie, "x-assent-request": "1" },
    });
    expect(del.statusCode).toBe(200);
    await setSharing(ctx, t, true);
    await sendOne(t);
    await setSharing(ctx, t, false);
    await advance(WITHDRAWAL_DAYS * DAY_MS - 30_000);
    expect((await ctx.services.retention.purgeDueWithdrawals("us")).receipts).toHaveLength(1);
    await setSharing(ctx, t, true);
    const accepted = await ctx.app.inject({
      method: "POST",
      url: "/api/tenant/notice/accept",
      headers: { cookie: t.adminCookie, "x-assent-request": "1" },
    });
    expect(accepted.statusCode).toBe(200);
    // Consent scopes: features chosen while on, a person excluded, another's data erased.
    const admin = (method: "PUT" | "POST", url: string, payload: Json) =>
      ctx.app.inject({ method, url, payload, headers: { cookie: t.adminCookie } });
    ctx.clock.advance(1000);
    expect(
      (await admin("PUT", "/api/tenant/sharing", { enabled: true, features: ["sales.draft"] })).statusCode,
    ).toBe(200);
    expect((await admin("POST", "/api/tenant/exclusions", { subject: "user-objecting" })).statusCode).toBe(
      200,
    );
    expect((await admin("POST", "/api/tenant/subjects/erase", { subject: "user-erased" })).statusCode).toBe(
      200,
    );

    const jwks = await get("/.well-known/assent-keys.json");
    expect(jwks.statusCode).toBe(200);
    jwksFile = file("jwks.json", jwks.body);
    const res = await get("/api/tenant/evidence", t.adminCookie);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-disposition"]).toContain("attachment");
    bundle = res.json();
    bundleFile = file("bundle.json", res.body);
  });
  afterAll(async () => ctx?.close());

  it("publishes the signing keys as a JWKS and signs every kind of record and receipt with them", async () => {
    const keys = JSON.parse((await get("/.well-known/assent-keys.json")).body).keys;
    expect(keys[0]).toMatchObject({
      kty: "OKP",
      crv: "Ed25519",
      alg: "EdDSA",
      kid: ctx.services.signingKeys.currentKid,
    });
    expect(bundle.records.map((r) => r.kind)).toEqual([
      "sharing.enable",
      "sharing.disable",
      "sharing.enable",
      "sharing.disable",
      "sharing.enable",
      "notice.accept",
      "scope.features",
      "scope.exclude",
      "scope.exclude",
      "scope.erase",
    ]);
    const last = bundle.records.at(-1) as Json;
    expect(last.scope).toMatchObject({ features: ["sales.draft"] });
    expect((last.scope as { excluded: string[] }).excluded).toHaveLength(2);
    expect(JSON.stringify(bundle)).not.toContain("user-erased");
    expect(new Set(bundle.receipts.map((r) => r.kind))).toEqual(
      new Set(["retention", "delete-now", "withdrawal", "subject-erasure"]),
    );
    const first = bundle.records[0] as Json;
    expect(first).toMatchObject({
      type: "assent.consent-record/v1",
      seq: 1,
      tenant: { id: t.id, region: "us" },
      actor: { label: t.adminEmail, role: "tenant-admin" },
      method: "admin-center",
      sharing: "on",
      region: "us",
      retentionDays: RETENTION_DAYS,
      withdrawalDeleteDays: WITHDRAWAL_DAYS,
      previous: null,
      scope: { features: null },
    });
    expect((first.notice as Json).version).toMatch(/^[0-9a-f]{64}$/);
    for (const x of [...bundle.records, ...bundle.receipts])
      expect(String(x.jws)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const run = await verify(bundleFile, "--jwks", jwksFile);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, records: 10, receipts: 4, failures: [] });
    // The receipts the admin center lists carry the same signature.
    const listed = (await get("/api/tenant/deletion-receipts", t.adminCookie)).json().items;
    expect(listed.map((r: Json) => r.jws).sort()).toEqual(bundle.receipts.map((r) => r.jws).sort());
  });

  it("fails naming the record or receipt when any byte of it is edited", async () => {
    const items = [
      ...bundle.records.map((r) => ["records", r] as const),
      ...bundle.receipts.map((r) => ["receipts", r] as const),
    ];
    let edits = 0;
    for (const [where, original] of items) {
      const text = JSON.stringify(original);
      // Positions inside letters and digits, never the last character of a base64url segment
      // (whose low bits are padding that decoders ignore).
      const positions = [...text.matchAll(/[A-Za-z0-9]/g)]
        .map((m) => m.index as number)
        .filter((i) => !/[".]/.test(text[i + 1] ?? '"'));
      for (let k = 0; k < 4; k++) {
        const at = positions[Math.floor((positions.length * (k * 2 + 1)) / 8)] as number;
        const c = text[at] as string;
        const swapped = /[0-9]/.test(c)
          ? String((Number(c) + 1) % 10)
          : c === "a"
            ? "b"
            : c === "A"
              ? "B"
              : "a";
        let edited: Json;
        try {
          edited = JSON.parse(text.slice(0, at) + swapped + text.slice(at + 1));
        } catch {
          continue;
        }
        const copy = { ...bundle, [where]: bundle[where].map((x) => (x === original ? edited : x)) };
        const run = await verify(file("edited.json", copy), "--jwks", jwksFile);
        expect(run.status, `edit at ${at} of ${String(original.id)}`).toBe(1);
        expect(run.stderr).toContain(String(edited.id));
        edits++;
      }
    }
    expect(edits).toBeGreaterThan(30);
  });

  it("fails naming the gap when a record is dropped from the chain", async () => {
    for (let i = 0; i < bundle.records.length - 1; i++) {
      const records = bundle.records.filter((_, k) => k !== i);
      const run = await verify(file("dropped.json", { ...bundle, records }), "--jwks", jwksFile);
      expect(run.status).toBe(1);
      const next = bundle.records[i + 1] as Json;
      expect(run.stderr).toContain(`record ${String(next.id)}`);
      expect(run.stderr).toContain("missing");
    }
  });

  it("reports a receipt completed after its deadline", async () => {
    await setSharing(ctx, late, true);
    await sendOne(late);
    await setSharing(ctx, late, false);
    // The purge runs a day late (a stopped job runner, say).
    await advance((WITHDRAWAL_DAYS + 1) * DAY_MS);
    const report = await ctx.services.retention.purgeDueWithdrawals("us");
    const receipt = report.receipts.find((r) => r.tenantId === late.id);
    expect(receipt).toBeTruthy();
    const res = await get("/api/tenant/evidence", late.adminCookie);
    const run = await verify(file("late.json", res.body), "--jwks", jwksFile);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`receipt ${receipt?.id} (withdrawal) was completed after its deadline`);
  });

  it("verifies with standard tools too: the procedure of docs/evidence.md (openssl, jq)", async () => {
    const script = fileURLToPath(new URL("../../../docs/evidence-verify.sh", import.meta.url));
    const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
    if (!have("openssl") || !have("jq")) return;
    const dir = mkdtempSync(path.join(ctx.dataDir, "openssl-"));
    const run = (item: unknown, prev?: unknown) =>
      spawnSync(
        "sh",
        [script, file("item.json", item), jwksFile, ...(prev ? [file("prev.json", prev)] : [])],
        { cwd: dir, encoding: "utf8" },
      );
    const chained = run(bundle.records[1], bundle.records[0]);
    expect(chained.stdout).toContain("Signature Verified Successfully");
    expect(chained.stdout).toContain(`chained to ${String(bundle.records[0]?.id)}`);
    expect(chained.status).toBe(0);
    const receipt = run(bundle.receipts[0]);
    expect(receipt.stdout).toContain("receipt hash matches");
    expect(receipt.status).toBe(0);
    const edited = run({ ...bundle.records[1], sharing: "on" }, bundle.records[0]);
    expect(edited.stdout).toContain("differs from what was signed");
    expect(edited.status).toBe(1);
  });

  it("records a change made through the management API with the person and the token", async () => {
    const other = await tenantWithAdmin(ctx);
    const operator = await staffUser(ctx, ["operator"]);
    const made = await ctx.app.inject({
      method: "POST",
      url: "/api/tokens",
      headers: { cookie: operator.cookie },
      payload: { name: "vendor console", scopes: ["sharing:write"] },
    });
    const token = made.json();
    const res = await ctx.app.inject({
      method: "PUT",
      url: `/api/tenants/${other.id}/sharing`,
      headers: { authorization: `Bearer ${token.token}` },
      payload: { enabled: true, actor: { email: "dana@tenant.example", name: "Dana" } },
    });
    expect(res.statusCode).toBe(200);
    const cookie = await signIn(ctx, other.adminEmail);
    const records = (await get("/api/tenant/evidence", cookie)).json().records;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: "sharing.enable",
      method: "management-api",
      actor: {
        label: "dana@tenant.example",
        via: { tokenId: token.id, tokenName: "vendor console", actorName: "Dana" },
      },
    });
    const run = await verify(file("api.json", { records }), "--jwks", jwksFile);
    expect(run.status).toBe(0);
  });

  it("checks single records and receipts against a key file, and names an unknown key", async () => {
    const jwk = (JSON.parse((await get("/.well-known/assent-keys.json")).body).keys as Json[])[0];
    const keyFile = file("key.jwk", jwk);
    const single = file("receipt.json", bundle.receipts[0]);
    expect((await verify(single, "--key", keyFile)).status).toBe(0);
    const other = file("other.jwk", {
      kty: "OKP",
      crv: "Ed25519",
      x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    });
    const run = await verify(single, "--key", other);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("which is not in the key set");
    const none = await verify(file("none.json", [bundle.records[0]]));
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("--jwks");
  });

  it("keeps old evidence verifiable after the signing key is rotated", async () => {
    const oldKid = ctx.services.signingKeys.currentKid;
    rotateSigningKey(ctx.dataDir);
    const services = await createServices(ctx.services.config, { clock: ctx.clock });
    const app = await buildApp(services, { logger: false });
    try {
      expect(services.signingKeys.currentKid).not.toBe(oldKid);
      const off = await app.inject({
        method: "PUT",
        url: "/api/tenant/sharing",
        headers: { cookie: t.adminCookie },
        payload: { enabled: false },
      });
      expect(off.statusCode).toBe(200);
      const jwks = JSON.parse(
        (await app.inject({ method: "GET", url: "/.well-known/assent-keys.json" })).body,
      );
      expect(jwks.keys.map((k: Json) => k.kid)).toEqual([services.signingKeys.currentKid, oldKid]);
      const res = await app.inject({
        method: "GET",
        url: "/api/tenant/evidence",
        headers: { cookie: t.adminCookie },
      });
      const rotated: Bundle = res.json();
      const last = rotated.records.at(-1) as Json;
      expect(
        JSON.parse(Buffer.from(String(last.jws).split(".")[0] as string, "base64url").toString()).kid,
      ).toBe(services.signingKeys.currentKid);
      const run = await verify(file("rotated.json", rotated), "--jwks", file("jwks2.json", jwks));
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout).records).toBe(11);
      // Without the retired key, the old records no longer verify: the first one is named.
      const newOnly = file("new-only.json", { keys: [jwks.keys[0]] });
      const partial = await verify(file("rotated.json", rotated), "--jwks", newOnly);
      expect(partial.status).toBe(1);
      expect(partial.stderr).toContain(`record ${String(rotated.records[0]?.id)}`);
    } finally {
      await app.close();
      await services.close();
    }
  });
});
