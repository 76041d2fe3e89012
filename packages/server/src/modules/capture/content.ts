import { open, seal } from "../../crypto/aead.js";
import type { JsonValue } from "./types.js";

/** Input and output are sealed together; the associated data binds them to their row. */
const contentAad = (tenantId: string, interactionId: string) =>
  `assent:interaction:${tenantId}:${interactionId}`;

/** The plaintext form of an interaction's content, made once at validation. */
export function serializeContent(input: JsonValue, output: JsonValue): string {
  return JSON.stringify({ i: input, o: output });
}

export function sealContent(key: Buffer, tenantId: string, id: string, content: string): Buffer {
  return seal(key, Buffer.from(content, "utf8"), contentAad(tenantId, id));
}

export function openContent(
  key: Buffer,
  tenantId: string,
  id: string,
  sealed: Buffer,
): { input: JsonValue; output: JsonValue } {
  const parsed = JSON.parse(open(key, sealed, contentAad(tenantId, id)).toString("utf8")) as {
    i: JsonValue;
    o: JsonValue;
  };
  return { input: parsed.i, output: parsed.o };
}
