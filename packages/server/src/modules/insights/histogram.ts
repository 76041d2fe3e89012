/**
 * The latency histogram of a rollup row: exact 1 ms buckets below EXACT_BELOW, then log-spaced
 * buckets 2 % wide, so any percentile read off it is within 1 % of the true value (the bucket's
 * geometric middle is at most √1.02 away from anything in it). Stored sparse and compact: only
 * buckets that hold something, as varints (bucket gap, zigzag count). Counts add and subtract
 * exactly, so a purge takes out precisely what the rows it deletes put in.
 */
const EXACT_BELOW = 50;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** More buckets than any 32-bit latency needs (2^31 ms lands in bucket 936). */
export const BUCKETS = 1024;

/** Sparse: bucket → count (the write path's deltas). */
export type Histogram = Map<number, number>;
/** Dense: count per bucket (the read path's sums). */
export type DenseHistogram = Float64Array;

export function bucketOf(latencyMs: number): number {
  const v = Math.max(0, Math.floor(latencyMs));
  if (v < EXACT_BELOW) return v;
  return Math.min(BUCKETS - 1, EXACT_BELOW + Math.floor(Math.log(v / EXACT_BELOW) / LOG_GROWTH + 1e-9));
}

/**
 * The value a bucket stands for: itself below EXACT_BELOW, else its geometric middle rounded to a
 * whole millisecond (so a percentile is within 1 % of the truth, plus at most 0.5 ms).
 */
export function bucketValue(bucket: number): number {
  if (bucket < EXACT_BELOW) return bucket;
  return Math.round(EXACT_BELOW * GROWTH ** (bucket - EXACT_BELOW + 0.5));
}

export function addTo(h: Histogram, bucket: number, count: number): void {
  const next = (h.get(bucket) ?? 0) + count;
  if (next === 0) h.delete(bucket);
  else h.set(bucket, next);
}

export function mergeInto(into: Histogram, from: Histogram, sign: 1 | -1 = 1): void {
  for (const [b, c] of from) addTo(into, b, sign * c);
}

export function encodeHistogram(h: Histogram): Buffer {
  const out: number[] = [];
  const varint = (v: number) => {
    let x = v;
    while (x >= 0x80) {
      out.push((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    out.push(x);
  };
  let prev = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    const c = h.get(b) ?? 0;
    varint(b - prev);
    varint(c >= 0 ? c * 2 : -c * 2 - 1);
    prev = b;
  }
  return Buffer.from(out);
}

/** Calls `each(bucket, count)` for every stored bucket. */
function walk(buf: Uint8Array, each: (bucket: number, count: number) => void): void {
  let i = 0;
  let bucket = 0;
  while (i < buf.length) {
    let gap = 0;
    let mul = 1;
    let byte: number;
    do {
      byte = buf[i++] as number;
      gap += (byte & 0x7f) * mul;
      mul *= 0x80;
    } while (byte & 0x80);
    let z = 0;
    mul = 1;
    do {
      byte = buf[i++] as number;
      z += (byte & 0x7f) * mul;
      mul *= 0x80;
    } while (byte & 0x80);
    bucket += gap;
    each(bucket, z % 2 === 0 ? z / 2 : -(z + 1) / 2);
  }
}

export function decodeHistogram(buf: Uint8Array | null, into: Histogram = new Map()): Histogram {
  if (buf) walk(buf, (b, c) => addTo(into, b, c));
  return into;
}

/** Adds an encoded histogram into dense sums, without building a map. */
export function addEncoded(buf: Uint8Array | null, into: DenseHistogram): void {
  if (!buf) return;
  walk(buf, (b, c) => {
    into[b] = (into[b] ?? 0) + c;
  });
}

export function toDense(h: Histogram): DenseHistogram {
  const d = new Float64Array(BUCKETS);
  for (const [b, c] of h) d[b] = (d[b] ?? 0) + c;
  return d;
}

export function histogramTotal(h: DenseHistogram): number {
  let n = 0;
  for (const c of h) n += c;
  return n;
}

/** The value at percentile p (0–1): the bucket where the cumulative count reaches ⌈p·total⌉. */
export function percentile(h: DenseHistogram, p: number): number | null {
  const total = histogramTotal(h);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let b = 0; b < h.length; b++) {
    seen += h[b] ?? 0;
    if (seen >= rank) return bucketValue(b);
  }
  return null;
}
