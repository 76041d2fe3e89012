import {
  FINISH_REASONS,
  hasContent,
  MODELS,
  modelCall,
  spanExchange,
  TOKENS_IN,
  TOKENS_OUT,
} from "./map-span.js";
import type { AttrValue, OtlpSpan } from "./types.js";

/**
 * One model call is often recorded by two model-call spans, one inside the other: the Vercel AI
 * SDK's `ai.generateText` around `ai.generateText.doGenerate`, or an instrumentation wrapping
 * an SDK that instruments its own call (both `chat`). Such a family is one interaction: the
 * outermost span with content is stored, and lends itself the telemetry it lacks from the others
 * (the inner span knows the response model and the finish reason). The others are never
 * rejected: they are folded into it. Families are found within one export request, where a
 * batching span processor puts spans that end together.
 */
const LENT: readonly string[] = [
  ...MODELS,
  ...TOKENS_IN,
  ...TOKENS_OUT,
  ...FINISH_REASONS,
  "gen_ai.response.finish_reasons",
  "gen_ai.response.id",
  "gen_ai.provider.name",
  "gen_ai.system",
];

const key = (traceId: string | null, spanId: string | null) => `${traceId ?? ""}:${spanId ?? ""}`;

export function foldNestedCalls(spans: readonly OtlpSpan[]): { spans: OtlpSpan[]; folded: number } {
  const calls = new Map<string, OtlpSpan>();
  for (const s of spans) if (s.spanId && modelCall(s)) calls.set(key(s.traceId, s.spanId), s);
  const rootOf = (s: OtlpSpan): OtlpSpan => {
    let cur = s;
    for (let depth = 0; depth < 16; depth++) {
      const parent = calls.get(key(cur.traceId, cur.parentSpanId));
      if (!parent || parent === cur) break;
      cur = parent;
    }
    return cur;
  };
  const families = new Map<OtlpSpan, OtlpSpan[]>();
  for (const s of calls.values()) {
    const root = rootOf(s);
    const members = families.get(root) ?? [];
    members.push(s);
    families.set(root, members);
  }
  const replaced = new Map<OtlpSpan, OtlpSpan | null>();
  for (const [root, members] of families) {
    if (members.length < 2) continue;
    // Outermost first: the root, then by depth (members were collected parent-agnostic).
    const depth = (s: OtlpSpan) => {
      let d = 0;
      for (let cur = s; cur !== root && d < 16; d++)
        cur = calls.get(key(cur.traceId, cur.parentSpanId)) ?? root;
      return d;
    };
    const ordered = [...members].sort((x, y) => depth(x) - depth(y));
    const withContent = ordered.find((s) => {
      const call = modelCall(s);
      return call !== null && !call.inner && hasContent(spanExchange(s, call));
    });
    const base = withContent ?? ordered.find((s) => !modelCall(s)?.inner) ?? root;
    const attributes = new Map<string, AttrValue>(base.attributes);
    // The innermost span is the closest to the provider's answer.
    for (const s of [...ordered].reverse()) {
      if (s === base) continue;
      for (const k of LENT) {
        const v = s.attributes.get(k);
        if (!attributes.has(k) && v !== undefined && v !== null) attributes.set(k, v);
      }
    }
    for (const s of members) replaced.set(s, s === base ? { ...base, attributes } : null);
  }
  const out: OtlpSpan[] = [];
  let folded = 0;
  for (const s of spans) {
    const r = replaced.get(s);
    if (r === undefined) out.push(s);
    else if (r === null) folded += 1;
    else out.push(r);
  }
  return { spans: out, folded };
}
