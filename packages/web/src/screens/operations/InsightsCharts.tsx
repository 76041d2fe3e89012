import type { Insights } from "@assent/sdk/contract/staff";
import { useMemo } from "react";
import type uPlot from "uplot";
import { Chart, type ChartOptions, Legend, PALETTE } from "../../ui/Chart.js";
import { num } from "../../ui/format.js";
import { dailyColumns, optInShare, totals } from "./insights-data.js";

const color = (i: number) => PALETTE[i % PALETTE.length] as string;
/** Ticks on whole days (or weeks, months) only: the figures are per UTC day. */
const DAY_TICKS = [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400];
const axes = (yLabel: string): uPlot.Axis[] => [{ incrs: DAY_TICKS }, { label: yLabel, size: 60 }];
const HALF_DAY_S = 43_200;

/** A time axis over whole days, half a day of room each side (one day alone is not stretched to years). */
const dayScale = (days: readonly number[]): uPlot.Scale => ({
  time: true,
  range: () => [(days[0] ?? 0) - HALF_DAY_S, (days[days.length - 1] ?? 0) + HALF_DAY_S],
});

const line = (i: number, label: string, dash?: number[]): uPlot.Series => ({
  label,
  stroke: color(i),
  width: 2,
  ...(dash ? { dash } : {}),
  points: { show: true, size: 7, stroke: color(i), fill: color(i) },
});

/** Figures first (text), then charts: volume per feature and day, tokens per day, latency percentiles. */
export function InsightsCharts({ data }: { readonly data: Insights }) {
  const t = totals(data);
  const share = optInShare(data.optIn);
  return (
    <>
      <ul className="figures" aria-label="Totals">
        <li>
          <strong>{num(t.interactions)}</strong> interactions
        </li>
        <li>
          <strong>{num(t.tokensIn)}</strong> tokens in · <strong>{num(t.tokensOut)}</strong> out
        </li>
        <li>
          <strong>{num(t.labels)}</strong> labels · average rating{" "}
          <strong>{t.ratingAverage === null ? "—" : `${num(t.ratingAverage, 2)}/5`}</strong>
        </li>
        <li data-testid="opt-in">
          <strong>{num(share.rate * 100, 1)} %</strong> of tenants share
          <span className="muted">
            {" "}
            ({num(share.sharing)} of {num(share.tenants)})
          </span>
        </li>
      </ul>
      <DailyCharts data={data} />
      <LatencyChart data={data} />
    </>
  );
}

function DailyCharts({ data }: { readonly data: Insights }) {
  const c = useMemo(() => dailyColumns(data.daily), [data.daily]);
  const volume = useMemo(
    (): [ChartOptions, uPlot.AlignedData] => [
      {
        legend: { show: false },
        scales: { x: dayScale(c.days) },
        axes: axes("interactions"),
        series: [{}, ...c.features.map((f, i) => line(i, f))],
      },
      [c.days, ...c.volumes],
    ],
    [c],
  );
  const tokens = useMemo(
    (): [ChartOptions, uPlot.AlignedData] => [
      {
        legend: { show: false },
        scales: { x: dayScale(c.days) },
        axes: axes("tokens"),
        series: [{}, line(0, "tokens in"), line(1, "tokens out", [6, 4])],
      },
      [c.days, c.tokensIn, c.tokensOut],
    ],
    [c],
  );
  if (c.days.length === 0) return null;
  return (
    <div className="grid two">
      <div>
        <h3>Interactions per feature and day</h3>
        <Chart
          testId="chart-volume"
          label={`Interactions per day for ${c.features.join(", ")}; the table below has the totals`}
          options={volume[0]}
          data={volume[1]}
        />
        <Legend names={c.features} />
      </div>
      <div>
        <h3>Tokens per day</h3>
        <Chart testId="chart-tokens" label="Tokens in and out per day" options={tokens[0]} data={tokens[1]} />
        <Legend names={["tokens in", "tokens out (dashed)"]} />
      </div>
    </div>
  );
}

/** p50, p95 and p99 per feature as points over the features (no lines: features are not a sequence). */
function LatencyChart({ data }: { readonly data: Insights }) {
  const features = useMemo(() => data.features.filter((f) => f.latencyMs.p50 !== null), [data.features]);
  const chart = useMemo((): [ChartOptions, uPlot.AlignedData] => {
    const xs = features.map((_, i) => i);
    // p95 a larger ring, so it shows when it equals p50 or p99.
    const point = (i: number, label: string, ring = false): uPlot.Series => ({
      label,
      stroke: color(i),
      paths: () => null,
      points: { show: true, size: ring ? 15 : 9, width: 2, stroke: color(i), fill: ring ? "#fff" : color(i) },
    });
    return [
      {
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, Math.max(features.length - 0.5, 0.5)] } },
        axes: [
          {
            splits: () => xs,
            values: (_u, splits) => splits.map((s) => features[s]?.feature ?? ""),
          },
          { label: "ms", size: 60 },
        ],
        series: [{}, point(1, "p95", true), point(0, "p50"), point(2, "p99")],
      },
      [
        xs,
        features.map((f) => f.latencyMs.p95),
        features.map((f) => f.latencyMs.p50),
        features.map((f) => f.latencyMs.p99),
      ],
    ];
  }, [features]);
  if (features.length === 0) return null;
  return (
    <div>
      <h3>Latency per feature (p50, p95, p99)</h3>
      <Chart
        testId="chart-latency"
        label="Latency percentiles per feature in milliseconds; the table below has the figures"
        options={chart[0]}
        data={chart[1]}
      />
      <Legend names={["p50", "p95 (ring)", "p99"]} />
    </div>
  );
}
