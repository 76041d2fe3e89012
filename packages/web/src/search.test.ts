import { describe, expect, it } from "vitest";
import {
  AUDIT_FILTERS,
  filtersFromSearch,
  parseSearch,
  QUEUE_FILTERS,
  searchFromFilters,
  stringifySearch,
  validateFilters,
} from "./search.js";

describe("filters in the URL", () => {
  it("parses and writes plain query strings (no JSON quoting of numbers)", () => {
    expect(parseSearch("?feature=sales.draft&limit=50")).toEqual({ feature: "sales.draft", limit: "50" });
    expect(parseSearch("")).toEqual({});
    expect(stringifySearch({ feature: "sales.draft", limit: "50" })).toBe("?feature=sales.draft&limit=50");
    expect(stringifySearch({ feature: "", tenant: undefined })).toBe("");
    expect(stringifySearch({ from: "2026-11-30T10:00" })).toBe("?from=2026-11-30T10%3A00");
  });

  it("round-trips the queue's filters through the URL", () => {
    const filters = { ...filtersFromSearch(QUEUE_FILTERS, {}), feature: "sales.draft", limit: "50" };
    const url = stringifySearch(searchFromFilters(QUEUE_FILTERS, filters));
    expect(url).toBe("?feature=sales.draft&limit=50");
    expect(filtersFromSearch(QUEUE_FILTERS, parseSearch(url))).toEqual(filters);
  });

  it("leaves defaults and empty fields out of the URL and trims what is typed", () => {
    const filters = filtersFromSearch(AUDIT_FILTERS, {});
    expect(filters.chain).toBe("control");
    expect(searchFromFilters(AUDIT_FILTERS, filters)).toEqual({});
    expect(searchFromFilters(AUDIT_FILTERS, { ...filters, chain: "region-eu", action: "  a.b " })).toEqual({
      chain: "region-eu",
      action: "a.b",
    });
  });

  it("replaces a value it does not accept by the default, and drops unknown keys", () => {
    const validate = validateFilters(QUEUE_FILTERS);
    expect(validate({ limit: "7", feature: "x".repeat(129), bogus: "1" })).toEqual({});
    expect(validate({ limit: 100, tenant: "acme" })).toEqual({ limit: "100", tenant: "acme" });
    expect(validate({ limit: "25" })).toEqual({});
  });
});
