import { useEffect, useRef, useState } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartOptions = Omit<uPlot.Options, "width" | "height">;

/** One series' colour, in order: distinct, and dark enough on white (WCAG 3:1 for graphics). */
export const PALETTE = [
  "#1f4e79",
  "#b3261e",
  "#1e6b35",
  "#7a5200",
  "#6b3fa0",
  "#00677f",
  "#8c4a00",
  "#46505c",
];

/**
 * A uPlot chart (canvas), loaded on first use so only the screens with charts carry it. The canvas
 * is one image to assistive technology, named by `label`; each chart sits beside a table or legend
 * that gives the same numbers as text.
 */
export function Chart({
  label,
  options,
  data,
  height = 240,
  testId,
}: {
  readonly label: string;
  readonly options: ChartOptions;
  readonly data: uPlot.AlignedData;
  readonly height?: number;
  readonly testId?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let plot: uPlot | null = null;
    let gone = false;
    const resize = new ResizeObserver(() => plot?.setSize({ width: el.clientWidth, height }));
    import("uplot").then(
      ({ default: UPlot }) => {
        if (gone) return;
        plot = new UPlot({ ...options, width: el.clientWidth || 600, height }, data, el);
        resize.observe(el);
      },
      () => setFailed(true),
    );
    return () => {
      gone = true;
      resize.disconnect();
      plot?.destroy();
    };
  }, [options, data, height]);
  return (
    <figure className="chart" data-testid={testId}>
      <div ref={host} role="img" aria-label={label} className="chart-canvas" />
      {failed ? (
        <p className="muted small">The chart could not be drawn; the table below has the figures.</p>
      ) : null}
    </figure>
  );
}

/** A legend in HTML (uPlot's own is turned off): a swatch and a name per series. */
export function Legend({ names }: { readonly names: readonly string[] }) {
  return (
    <ul className="legend" aria-label="Legend">
      {names.map((n, i) => (
        <li key={n}>
          <span className="swatch" data-color={i % PALETTE.length} aria-hidden="true" />
          {n}
        </li>
      ))}
    </ul>
  );
}
