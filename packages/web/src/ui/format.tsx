const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "in 30 days", "in 3 hours", "5 minutes ago". */
export function fromNow(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, size] of units) {
    if (abs >= size) return relative.format(Math.round(ms / size), unit);
  }
  return relative.format(Math.round(ms / 1000), "second");
}

/** A time people can read, with the exact instant for machines and on hover. */
export function Time({
  iso,
  withRelative,
}: {
  readonly iso: string | null;
  readonly withRelative?: boolean;
}) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
      {withRelative ? <span className="muted"> ({fromNow(iso)})</span> : null}
    </time>
  );
}

export const shortId = (id: string | null | undefined): string => (id ? id.slice(0, 8) : "—");

export function ShortId({ id }: { readonly id: string | null }) {
  if (!id) return <span className="muted">—</span>;
  return (
    <code className="id" title={id}>
      {shortId(id)}
    </code>
  );
}

export function durationLabel(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return minutes > 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

/** A `datetime-local` value as an ISO instant, or undefined when empty. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export const num = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined ? "—" : v.toLocaleString(undefined, { maximumFractionDigits: digits });
