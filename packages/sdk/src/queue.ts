import type { DropReason, MutableCounters } from "./counters.js";
import { Fifo } from "./fifo.js";
import { type PendingItem, type ReadyItem, serializeItem } from "./serialize.js";

export interface QueueLimits {
  readonly maxQueueItems: number;
  readonly maxQueueBytes: number;
  readonly maxItemBytes: number;
}

/** Whether a queued interaction of `tenant` and `feature` may still be sent. */
export type MayGo = (tenant: string | undefined, feature: unknown) => boolean;

/** `{"interactions":[` … `]}` around the items of a batch. */
export const ENVELOPE_BYTES = 19;

/**
 * The bounded queue between `capture()` and delivery. `capture()` only appends to `pending`
 * (O(1), no serialization on the caller's path); `prepare()`, run on a later tick, serializes
 * into `ready`, whose size in bytes is known. Both bounds drop the oldest interactions first,
 * so memory stays bounded however long the service is away.
 */
export class CaptureQueue {
  private readonly pending = new Fifo<PendingItem>();
  private readonly ready = new Fifo<ReadyItem>();
  private readyBytes = 0;

  constructor(
    private readonly limits: QueueLimits,
    private readonly counters: MutableCounters,
  ) {}

  /** Interactions waiting (serialized or not). */
  get length(): number {
    return this.pending.length + this.ready.length;
  }
  get bytes(): number {
    return this.readyBytes;
  }
  get readyCount(): number {
    return this.ready.length;
  }
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  add(p: PendingItem): void {
    this.pending.push(p);
    if (this.pending.length + this.ready.length > this.limits.maxQueueItems) {
      // The oldest first: the ready ones are older than anything pending.
      if (this.ready.length > 0) this.dropReady();
      else this.pending.shift();
      this.counters.dropped.overflow += 1;
    }
  }

  /** Serializes what `capture()` appended; invalid interactions are counted and dropped. */
  prepare(): void {
    for (let p = this.pending.shift(); p !== undefined; p = this.pending.shift()) {
      const r = serializeItem(p, this.limits.maxItemBytes);
      if (r === null) {
        this.counters.invalid += 1;
        continue;
      }
      this.ready.push(r);
      this.readyBytes += r.bytes;
    }
    while (this.readyBytes > this.limits.maxQueueBytes && this.ready.length > 0) {
      this.dropReady();
      this.counters.dropped.overflow += 1;
    }
  }

  /**
   * Takes the oldest ready interactions that fit in one request; those `mayGo` refuses (their
   * tenant stopped sharing) are dropped on the way and counted `consentOff`.
   */
  take(maxItems: number, maxBytes: number, mayGo?: MayGo | null): ReadyItem[] {
    const out: ReadyItem[] = [];
    let bytes = ENVELOPE_BYTES;
    for (let r = this.ready.peek(); r !== undefined && out.length < maxItems; r = this.ready.peek()) {
      if (out.length > 0 && bytes + r.bytes + 1 > maxBytes) break;
      this.ready.shift();
      this.readyBytes -= r.bytes;
      if (mayGo && !mayGo(r.tenant, r.feature)) {
        this.counters.dropped.consentOff += 1;
        continue;
      }
      out.push(r);
      bytes += r.bytes + 1;
    }
    return out;
  }

  /** Returns a batch to the front of the queue, in its order. */
  putBack(items: readonly ReadyItem[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      const r = items[i] as ReadyItem;
      this.ready.unshift(r);
      this.readyBytes += r.bytes;
    }
  }

  /** Empties the queue, counting every interaction under `reason`; returns how many. */
  discard(reason: DropReason | "failed"): number {
    const n = this.length;
    this.pending.clear();
    this.ready.clear();
    this.readyBytes = 0;
    if (reason === "failed") this.counters.failed += n;
    else this.counters.dropped[reason] += n;
    return n;
  }

  /** Drops the interactions `mayGo` refuses (their tenant stopped sharing), counted `consentOff`. */
  discardWhereNot(mayGo: MayGo): number {
    let n = this.pending.retain((p) => mayGo(p.item.tenant, p.item.feature));
    n += this.ready.retain((r) => {
      if (mayGo(r.tenant, r.feature)) return true;
      this.readyBytes -= r.bytes;
      return false;
    });
    this.counters.dropped.consentOff += n;
    return n;
  }

  private dropReady(): void {
    const r = this.ready.shift();
    if (r) this.readyBytes -= r.bytes;
  }
}

export function batchBody(items: readonly ReadyItem[]): string {
  let body = '{"interactions":[';
  for (let i = 0; i < items.length; i++)
    body += i === 0 ? (items[i] as ReadyItem).json : `,${(items[i] as ReadyItem).json}`;
  return `${body}]}`;
}
