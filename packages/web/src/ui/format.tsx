import type { ClipboardEvent } from "react";
import { idLabel } from "./ids.js";
import { formatTime, formatUtc, fromNow } from "./time.js";

export { formatTime, fromNow } from "./time.js";

/** A time in the viewer's zone (named), the instant for machines, UTC on hover. */
export function Time({
  iso,
  withRelative,
}: {
  readonly iso: string | null;
  readonly withRelative?: boolean;
}) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatTime(iso)}
      {withRelative ? <span className="muted"> ({fromNow(iso)})</span> : null}
    </time>
  );
}

/** Copying the shown part of an id copies the whole id. */
const copyWhole = (id: string) => (e: ClipboardEvent) => {
  e.clipboardData.setData("text/plain", id);
  e.preventDefault();
};

/** An id by the part that tells it apart (see ids.ts): the full id on hover and when copied. */
export function ShortId({ id }: { readonly id: string | null }) {
  if (!id) return <span className="muted">—</span>;
  return (
    <code className="id token" title={id} onCopy={copyWhole(id)}>
      {idLabel(id)}
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
