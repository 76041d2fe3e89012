import type { TLocalizedValidationError } from "typebox/error";
import { locate, type Schema, TYPE_WORDS } from "../../schema-paths.js";

/**
 * Turns a schema validation error into a reason that names the field and the rule, never the
 * value: reasons go back to the client and into counts, and must not carry content.
 */
/** A field name safe to show: short, printable. */
export const fieldName = (k: string) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);

function describe(e: TLocalizedValidationError, schema: Schema, field: string, what: string): string | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required": {
      const missing = (p.requiredProperties as string[] | undefined)?.[0] ?? "a field";
      const full = field ? `${field}.${missing}` : missing;
      return full === "output"
        ? "output is required (null when the feature produced none)"
        : `${full} is required`;
    }
    case "additionalProperties": {
      const extra = (p.additionalProperties as string[] | undefined)?.[0] ?? "";
      return field
        ? `${field} has an unknown field ${fieldName(extra)}`
        : `unknown field ${fieldName(extra)}`;
    }
    case "propertyNames": {
      const names = schema.propertyNames as Schema;
      return `${field} keys must be ${names.minLength ?? 0}-${names.maxLength} characters`;
    }
    case "maxProperties":
      return `${field} may hold at most ${schema.maxProperties} keys`;
    case "type":
      return `${what} must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}`;
    case "minLength":
    case "maxLength":
      return schema.minLength === undefined
        ? `${what} must be at most ${schema.maxLength} characters`
        : `${what} must be ${schema.minLength}-${schema.maxLength} characters`;
    case "pattern":
      return `${what} has characters that are not allowed`;
    case "minimum":
    case "maximum":
      return `${what} must be between ${schema.minimum} and ${schema.maximum}`;
    case "anyOf":
      return `${what} must be ${String(schema.description ?? "of another type")}`;
    default:
      return null;
  }
}

/** The first reason among a value's errors, for a value described by `root` (`subject` names it). */
export function reasonOf(root: object, errors: Iterable<TLocalizedValidationError>, subject: string): string {
  for (const e of errors) {
    // Each branch of a union reports its own error before the union does: report the union.
    // Each unknown or badly named key reports an error before its object does: report the object.
    if (/\/anyOf\/\d+$/.test(e.schemaPath) || e.keyword === "boolean") continue;
    if (e.schemaPath.endsWith("/propertyNames")) continue;
    const { schema, name } = locate(root as Schema, e.instancePath);
    const reason = describe(e, schema, name, name || subject);
    if (reason) return reason;
  }
  return `${subject} does not match the schema`;
}
