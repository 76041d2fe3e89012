import { describe, expect, it } from "vitest";
import { formatTime, formatUtc, fromNow } from "./time.js";

describe("times with their zone", () => {
  const iso = "2026-11-30T17:05:09.123Z";

  it("names the zone a time is shown in", () => {
    expect(formatTime(iso, "UTC", "en-GB")).toMatch(/17:05.*UTC$/);
    // Berlin is an hour ahead in winter; the zone's short name is given (CET or GMT+1, by locale data).
    const berlin = formatTime(iso, "Europe/Berlin", "en-GB");
    expect(berlin).toMatch(/18:05/);
    expect(berlin).toMatch(/(CET|GMT\+1)$/);
  });

  it("gives the UTC instant to the second for the hover", () => {
    expect(formatUtc(iso)).toBe("2026-11-30 17:05:09 UTC");
  });

  it("leaves what is not a time as it is", () => {
    expect(formatTime("not a time")).toBe("not a time");
    expect(formatUtc("not a time")).toBe("not a time");
  });

  it("says how long ago or ahead", () => {
    const now = Date.parse(iso);
    expect(fromNow(new Date(now + 3 * 3_600_000).toISOString(), now)).toMatch(/3 hours/);
    expect(fromNow(new Date(now - 5 * 60_000).toISOString(), now)).toMatch(/5 minutes ago/);
  });
});
