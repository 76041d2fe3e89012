import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SigningKeys } from "../../crypto/signing-keys.js";
import { writePrivateFileAtomic } from "../../private-files.js";
import type { AuditCheckpointTable } from "../../stores/audit-schema.js";
import type { Stores } from "../../stores/open.js";
import { type AuditDb, asAuditDb, type ChainBreak } from "./chain.js";
import { auditChains } from "./verify.js";

/**
 * Signed checkpoints of each audit chain's head (issue 16). A hash chain alone cannot tell a
 * shortened log from a short one: whoever can write the database can cut the tail and rewrite
 * `audit_head` to match. A checkpoint is the head (sequence number and hash) signed with an
 * Ed25519 key the database does not hold, so cutting events at or before a checkpoint, or editing
 * a checkpointed event and re-hashing the chain after it, no longer verifies. Checkpoints are in
 * each store (`audit_checkpoints`) and, in the embedded default, the latest one per chain also in
 * a file in the data directory, so that deleting checkpoint rows is seen too.
 */
export const CHECKPOINT_FILE = "audit-checkpoints.json";

export type CheckpointAnchor = Record<string, AuditCheckpointTable>;

/** What is signed: the chain's name binds a checkpoint to its chain. */
export const checkpointPayload = (chain: string, c: Pick<AuditCheckpointTable, "seq" | "hash" | "at">) =>
  `assent:audit-checkpoint:v1\n${chain}\n${c.seq}\n${c.hash}\n${c.at}`;

export const anchorFileOf = (dataDir: string) => path.join(dataDir, CHECKPOINT_FILE);

function readAnchor(file: string | null): CheckpointAnchor {
  if (!file || !existsSync(file)) return {};
  return JSON.parse(readFileSync(file, "utf8")) as CheckpointAnchor;
}

/**
 * Signs the head of every chain whose head moved since its last checkpoint. Returns the chains
 * checkpointed. `anchorFile` (embedded default) also receives the latest checkpoint per chain.
 */
export async function checkpointChains(
  stores: Pick<Stores, "control" | "regions">,
  keys: Pick<SigningKeys, "sign">,
  now: number,
  anchorFile: string | null,
): Promise<string[]> {
  const done: string[] = [];
  const anchor = readAnchor(anchorFile);
  for (const [chain, store] of auditChains(stores)) {
    const db = asAuditDb(store);
    const head = await db
      .selectFrom("audit_head")
      .select(["seq", "hash"])
      .where("id", "=", 1)
      .executeTakeFirst();
    if (!head || Number(head.seq) === 0) continue;
    const seq = Number(head.seq);
    const last = await latestCheckpoint(store);
    if (last && last.seq >= seq) {
      anchor[chain] = last;
      continue;
    }
    const base = { seq, hash: head.hash, at: now };
    const { kid, signature } = keys.sign(checkpointPayload(chain, base));
    const row: AuditCheckpointTable = { ...base, key_id: kid, signature };
    await db
      .insertInto("audit_checkpoints")
      .values(row)
      .onConflict((oc) => oc.column("seq").doNothing())
      .execute();
    anchor[chain] = row;
    done.push(chain);
  }
  if (anchorFile) writePrivateFileAtomic(anchorFile, `${JSON.stringify(anchor, null, 2)}\n`);
  return done;
}

async function latestCheckpoint(store: AuditDb): Promise<AuditCheckpointTable | null> {
  const row = await asAuditDb(store)
    .selectFrom("audit_checkpoints")
    .selectAll()
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { ...row, seq: Number(row.seq), at: Number(row.at) } : null;
}

/**
 * Checks a chain (already verified link by link, `events` long) against its signed checkpoints
 * and the anchor file: every checkpoint must carry a valid signature, and name an event that is
 * still there with the hash it had. Returns the first problem, or null.
 */
export async function verifyCheckpoints(
  chain: string,
  store: AuditDb,
  events: number,
  keys: Pick<SigningKeys, "verify">,
  anchorFile: string | null,
): Promise<ChainBreak | null> {
  const db = asAuditDb(store);
  const rows = (await db.selectFrom("audit_checkpoints").selectAll().orderBy("seq").execute()).map((r) => ({
    ...r,
    seq: Number(r.seq),
    at: Number(r.at),
  }));
  const anchored = readAnchor(anchorFile)[chain];
  const all = anchored ? [...rows, { ...anchored, fromFile: true }] : rows;
  for (const c of all) {
    const where =
      "fromFile" in c ? `the checkpoint file's checkpoint of event ${c.seq}` : `checkpoint of event ${c.seq}`;
    const broken = (problem: string): ChainBreak => ({ seq: c.seq, id: null, action: null, problem });
    if (!keys.verify(c.key_id, checkpointPayload(chain, c), c.signature))
      return broken(`the ${where} has no valid signature (forged, altered, or signed by an unknown key)`);
    if (c.seq > events)
      return broken(
        `the ${where} is signed, but the log ends at event ${events} (events removed from the end and the head rewritten)`,
      );
    const event = await db
      .selectFrom("audit_events")
      .select(["hash"])
      .where("seq", "=", c.seq)
      .executeTakeFirst();
    if (!event || event.hash !== c.hash)
      return broken(
        `event ${c.seq} no longer has the hash its signed checkpoint records (the log was rewritten)`,
      );
  }
  const newest = rows.at(-1);
  if (anchored && (!newest || newest.seq < anchored.seq))
    return {
      seq: anchored.seq,
      id: null,
      action: null,
      problem: `the checkpoint file records a checkpoint of event ${anchored.seq} that the store no longer has (checkpoints removed)`,
    };
  return null;
}
