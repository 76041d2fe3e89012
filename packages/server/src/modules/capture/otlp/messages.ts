import type { JsonValue } from "../types.js";
import { parseJsonOrText } from "./attributes.js";

/**
 * Messages are stored in the shape of the OpenTelemetry GenAI conventions
 * (`gen_ai.input.messages` / `gen_ai.output.messages`): `{role, parts: [...]}` with parts such as
 * `{type: "text", content}`, `{type: "tool_call", id, name, arguments}` and
 * `{type: "tool_call_response", id, response}`. Older and vendor shapes (OpenAI's
 * `{role, content, tool_calls}`, the Vercel AI SDK's `{type: "text", text}` parts) are
 * converted; anything unknown is kept as it came, so nothing the feature saw is lost.
 */
export interface Message {
  readonly role: string;
  readonly parts: JsonValue[];
  readonly finish_reason?: string;
  readonly name?: string;
}

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const text = (content: string): JsonValue => ({ type: "text", content });

const str = (v: JsonValue | undefined): string | undefined =>
  typeof v === "string" && v.length > 0 ? v : undefined;

/** Tool call arguments often travel as a JSON string; keep them structured when they parse. */
const args = (v: JsonValue | undefined): JsonValue =>
  v === undefined ? null : typeof v === "string" ? parseJsonOrText(v) : v;

function withOptional(part: JsonObject): JsonValue {
  for (const k of Object.keys(part)) if (part[k] === undefined) delete part[k];
  return part;
}

function toPart(p: JsonValue): JsonValue {
  if (typeof p === "string") return text(p);
  if (!isObject(p)) return p;
  if (p.type === "text" && typeof p.text === "string" && p.content === undefined) return text(p.text);
  if (p.type === "tool-call") {
    return withOptional({
      type: "tool_call",
      id: str(p.toolCallId),
      name: str(p.toolName),
      arguments: args(p.input ?? p.args),
    } as JsonObject);
  }
  if (p.type === "tool-result") {
    return withOptional({
      type: "tool_call_response",
      id: str(p.toolCallId),
      response: p.output ?? p.result ?? null,
    } as JsonObject);
  }
  return p;
}

/** `content` of a chat message: a string, an array of parts, or nothing. */
export function contentParts(content: JsonValue | undefined): JsonValue[] {
  if (content === undefined || content === null || content === "") return [];
  if (Array.isArray(content)) return content.map(toPart);
  return [toPart(content)];
}

/** OpenAI's `tool_calls` and the Vercel AI SDK's `toolCalls` as `tool_call` parts. */
export function toolCallParts(calls: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((c) => {
    if (!isObject(c)) return c;
    const fn = isObject(c.function) ? c.function : undefined;
    if (fn) {
      return withOptional({
        type: "tool_call",
        id: str(c.id),
        name: str(fn.name),
        arguments: args(fn.arguments),
      } as JsonObject);
    }
    if (c.toolName !== undefined) return toPart({ ...c, type: "tool-call" });
    return c;
  });
}

export function toMessage(m: JsonValue, defaultRole: string): Message {
  if (!isObject(m)) return { role: defaultRole, parts: contentParts(m) };
  const role = str(m.role) ?? defaultRole;
  let parts: JsonValue[];
  if (Array.isArray(m.parts)) parts = m.parts.map(toPart);
  else if (role === "tool" && str(m.tool_call_id ?? m.id) && !Array.isArray(m.content)) {
    parts = [
      { type: "tool_call_response", id: str(m.tool_call_id ?? m.id) ?? null, response: m.content ?? null },
    ];
  } else parts = [...contentParts(m.content), ...toolCallParts(m.tool_calls ?? m.toolCalls)];
  const finish = str(m.finish_reason) ?? str(m.finishReason);
  const name = str(m.name);
  return { role, parts, ...(finish ? { finish_reason: finish } : {}), ...(name ? { name } : {}) };
}

/** A list of messages, a single message, or bare text. */
export function toMessages(v: JsonValue | undefined, defaultRole: string): Message[] {
  if (v === undefined || v === null || v === "") return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((m) => toMessage(m, defaultRole)).filter((m) => m.parts.length > 0);
}

/** `gen_ai.system_instructions`: an array of parts, or bare text. */
export function toSystemParts(v: JsonValue | undefined): JsonValue[] {
  return contentParts(v);
}

export const toJson = (messages: readonly Message[]): JsonValue =>
  messages.map((m) => ({ ...m, parts: m.parts }) as JsonObject);
