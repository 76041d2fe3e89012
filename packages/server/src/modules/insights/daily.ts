import { DAY_MS } from "../../clock.js";
import type { FeatureRollupTable } from "../../stores/region-schema.js";

/** One feature's volume on one UTC day (for the insights chart). */
export interface DailyVolume {
  /** The UTC day, as "YYYY-MM-DD". */
  readonly day: string;
  readonly feature: string;
  readonly interactions: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
}

/** Sums rollup rows per (day, feature) across regions; `rows()` gives them by day, then feature. */
export function dailyVolumes() {
  const sums = new Map<string, { day: number; feature: string; i: number; tin: number; tout: number }>();
  return {
    add(row: Pick<FeatureRollupTable, "day" | "feature" | "interactions" | "tokens_in" | "tokens_out">) {
      const day = Number(row.day);
      const key = `${day}\u0000${row.feature}`;
      const s = sums.get(key) ?? { day, feature: row.feature, i: 0, tin: 0, tout: 0 };
      s.i += Number(row.interactions);
      s.tin += Number(row.tokens_in);
      s.tout += Number(row.tokens_out);
      sums.set(key, s);
    },
    rows(): DailyVolume[] {
      return [...sums.values()]
        .filter((s) => s.i > 0)
        .sort((a, b) => a.day - b.day || a.feature.localeCompare(b.feature))
        .map((s) => ({
          day: new Date(s.day * DAY_MS).toISOString().slice(0, 10),
          feature: s.feature,
          interactions: s.i,
          tokensIn: s.tin,
          tokensOut: s.tout,
        }));
    },
  };
}
