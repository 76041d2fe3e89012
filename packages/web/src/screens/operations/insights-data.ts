import type { DailyVolume, Insights } from "../../api/types.js";

const DAY_S = 86_400;

/** The daily volumes as chart columns: every UTC day from the first to the last, zero where none. */
export function dailyColumns(daily: readonly DailyVolume[]) {
  const features = [...new Set(daily.map((d) => d.feature))].sort();
  if (daily.length === 0) return { days: [], features, volumes: [], tokensIn: [], tokensOut: [] };
  const dayS = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
  const first = Math.min(...daily.map((d) => dayS(d.day)));
  const last = Math.max(...daily.map((d) => dayS(d.day)));
  const days: number[] = [];
  for (let t = first; t <= last; t += DAY_S) days.push(t);
  const index = new Map(days.map((t, i) => [t, i]));
  const volumes = features.map(() => days.map(() => 0));
  const tokensIn = days.map(() => 0);
  const tokensOut = days.map(() => 0);
  for (const d of daily) {
    const i = index.get(dayS(d.day)) as number;
    const f = features.indexOf(d.feature);
    (volumes[f] as number[])[i] = ((volumes[f] as number[])[i] ?? 0) + d.interactions;
    tokensIn[i] = (tokensIn[i] ?? 0) + d.tokensIn;
    tokensOut[i] = (tokensOut[i] ?? 0) + d.tokensOut;
  }
  return { days, features, volumes, tokensIn, tokensOut };
}

/** The share of tenants sharing, from whichever form the server gives it; null when it gives none. */
export function optInShare(
  data: Insights,
): { rate: number; sharing: number | null; tenants: number | null } | null {
  const o = data.optIn;
  if (o && o.tenants > 0)
    return { rate: o.rate ?? o.sharing / o.tenants, sharing: o.sharing, tenants: o.tenants };
  if (o && o.tenants === 0) return { rate: 0, sharing: 0, tenants: 0 };
  if (typeof data.optInRate === "number") return { rate: data.optInRate, sharing: null, tenants: null };
  return null;
}

/** Totals over all features. */
export function totals(data: Insights) {
  let interactions = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  let labels = 0;
  let ratingSum = 0;
  for (const f of data.features) {
    interactions += f.interactions;
    tokensIn += f.tokens.in;
    tokensOut += f.tokens.out;
    labels += f.ratings.labels;
    if (f.ratings.average !== null) ratingSum += f.ratings.average * f.ratings.labels;
  }
  return { interactions, tokensIn, tokensOut, labels, ratingAverage: labels ? ratingSum / labels : null };
}
