import type { Insights } from "@assent/sdk/contract/staff";
import { describe, expect, it } from "vitest";
import { dailyColumns, optInShare, totals } from "./insights-data.js";

const base: Insights = {
  from: "",
  to: "",
  regions: ["eu"],
  features: [],
  totals: { interactions: 0, tokensIn: 0, tokensOut: 0 },
  daily: [],
  optIn: { tenants: 0, sharing: 0, rate: null },
};

describe("insights as chart data", () => {
  it("fills every day between the first and the last, per feature", () => {
    const c = dailyColumns([
      { day: "2026-11-28", feature: "b", interactions: 2, tokensIn: 10, tokensOut: 20 },
      { day: "2026-11-30", feature: "a", interactions: 5, tokensIn: 1, tokensOut: 2 },
      { day: "2026-11-30", feature: "b", interactions: 1, tokensIn: 3, tokensOut: 4 },
    ]);
    expect(c.days.map((s) => new Date(s * 1000).toISOString().slice(0, 10))).toEqual([
      "2026-11-28",
      "2026-11-29",
      "2026-11-30",
    ]);
    expect(c.features).toEqual(["a", "b"]);
    expect(c.volumes).toEqual([
      [0, 0, 5],
      [2, 0, 1],
    ]);
    expect(c.tokensIn).toEqual([10, 0, 4]);
    expect(c.tokensOut).toEqual([20, 0, 6]);
    expect(dailyColumns([]).days).toEqual([]);
  });

  it("reads the opt-in share, computing the rate when the server leaves it out", () => {
    expect(optInShare({ tenants: 0, sharing: 0, rate: null })).toEqual({ rate: 0, sharing: 0, tenants: 0 });
    expect(optInShare({ tenants: 4, sharing: 1, rate: null })).toEqual({
      rate: 0.25,
      sharing: 1,
      tenants: 4,
    });
    expect(optInShare({ tenants: 3, sharing: 1, rate: 0.5 })).toEqual({ rate: 0.5, sharing: 1, tenants: 3 });
  });

  it("totals volume, tokens and the label-weighted average rating", () => {
    const f = (interactions: number, labels: number, average: number | null) => ({
      feature: `f${interactions}`,
      interactions,
      tenants: 1,
      latencyMs: { p50: null, p95: null, p99: null },
      tokens: { in: 1, out: 2 },
      feedback: { positive: 0, negative: 0, average: null },
      ratings: { labels, average },
      finishReasons: {},
    });
    expect(totals({ ...base, features: [f(3, 1, 5), f(4, 3, 1), f(5, 0, null)] })).toEqual({
      interactions: 12,
      tokensIn: 3,
      tokensOut: 6,
      labels: 4,
      ratingAverage: 2,
    });
  });
});
