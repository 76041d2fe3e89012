/**
 * The latency histogram of a rollup row: exact 1 ms buckets below EXACT_BELOW, then log-spaced
 * buckets 2 % wide, so any percentile read off it is within 1 % of the true value (the bucket's
 * geometric middle is at most √1.02 away from anything in it). Sparse: only buckets that hold
 * something are stored, as "bucket:count" pairs. Counts add and subtract exactly, so a purge can
 * take out precisely what the rows it deletes put in.
 */
const EXACT_BELOW = 50;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

export type Histogram = Map<number, number>;

export function bucketOf(latencyMs: number): number {
  const v = Math.max(0, Math.floor(latencyMs));
  if (v < EXACT_BELOW) return v;
  return EXACT_BELOW + Math.floor(Math.log(v / EXACT_BELOW) / LOG_GROWTH + 1e-9);
}

/** The value a bucket stands for: itself below EXACT_BELOW, else its geometric middle. */
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

export function encodeHistogram(h: Histogram): string {
  return [...h]
    .sort((a, b) => a[0] - b[0])
    .map(([b, c]) => `${b}:${c}`)
    .join(",");
}

export function decodeHistogram(text: string | null, into: Histogram = new Map()): Histogram {
  if (!text) return into;
  for (const pair of text.split(",")) {
    const colon = pair.indexOf(":");
    addTo(into, Number(pair.slice(0, colon)), Number(pair.slice(colon + 1)));
  }
  return into;
}

export function histogramTotal(h: Histogram): number {
  let n = 0;
  for (const c of h.values()) n += c;
  return n;
}

/** The value at percentile p (0–1): the bucket where the cumulative count reaches ⌈p·total⌉. */
export function percentile(h: Histogram, p: number): number | null {
  const total = histogramTotal(h);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    seen += h.get(b) ?? 0;
    if (seen >= rank) return bucketValue(b);
  }
  return null;
}
