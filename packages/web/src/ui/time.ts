/** Times shown in the viewer's zone with the zone named ("30 Nov 2026, 18:05 CET"), UTC on hover. */

const local = (timeZone?: string, locale?: string) =>
  new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    ...(timeZone ? { timeZone } : {}),
  });

const zoneName = (d: Date, timeZone?: string, locale?: string): string =>
  new Intl.DateTimeFormat(locale, { timeZoneName: "short", ...(timeZone ? { timeZone } : {}) })
    .formatToParts(d)
    .find((p) => p.type === "timeZoneName")?.value ?? "";

/**
 * A time with its zone's short name (the viewer's zone and locale unless given); the text as
 * given when it is no time.
 */
export function formatTime(iso: string, timeZone?: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = local(timeZone, locale).format(d);
  const zone = zoneName(d, timeZone, locale);
  return zone ? `${text} ${zone}` : text;
}

/** The same instant in UTC, to the second: "2026-11-30 17:05:09 UTC". */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
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
