import { readFileSync } from "node:fs";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { isGenAiSpan } from "../src/otel/exporter.js";

interface FixtureSpan {
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** The spans of one of the shared OTLP fixtures, as the exporter's filter sees them. */
function fixtureSpans(file: string): ReadableSpan[] {
  const url = new URL(`../../server/test/fixtures/otlp/${file}`, import.meta.url);
  const body = JSON.parse(readFileSync(url, "utf8")) as {
    resourceSpans: { scopeSpans: { spans: FixtureSpan[] }[] }[];
  };
  return body.resourceSpans.flatMap((r) =>
    r.scopeSpans.flatMap((s) =>
      s.spans.map(
        (span) =>
          ({
            name: span.name,
            attributes: Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]])),
          }) as unknown as ReadableSpan,
      ),
    ),
  );
}

describe("the exporter's span filter", () => {
  it("passes the Vercel AI SDK's outer call span, which carries no gen_ai.* attribute", () => {
    const spans = fixtureSpans("vercel-ai-sdk.json");
    const outer = spans.find((s) => s.name === "ai.generateText");
    expect(outer).toBeDefined();
    expect(Object.keys(outer!.attributes).some((k) => k.startsWith("gen_ai."))).toBe(false);
    expect(isGenAiSpan(outer!)).toBe(true);
  });

  it("passes GenAI spans and leaves plain HTTP spans out", () => {
    expect(fixtureSpans("modern-chat.json").some(isGenAiSpan)).toBe(true);
    expect(fixtureSpans("legacy-attributes.json").some(isGenAiSpan)).toBe(true);
    expect(fixtureSpans("not-genai.json").some(isGenAiSpan)).toBe(false);
  });
});
