import type { DailyVolume, Insights, OptIn } from "@assent/sdk/contract/staff";

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

/** The share of tenants sharing (0 when the regions read have no tenant). */
export function optInShare(optIn: OptIn): { rate: number; sharing: number; tenants: number } {
  const rate = optIn.rate ?? (optIn.tenants > 0 ? optIn.sharing / optIn.tenants : 0);
  return { rate, sharing: optIn.sharing, tenants: optIn.tenants };
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
