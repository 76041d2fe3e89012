import type { TLocalizedValidationError } from "typebox/error";
import { locate, type Schema, TYPE_WORDS, valueAt } from "./schema-paths.js";

/** Every bad setting, by its path and rule (`program.retentionDays must be between 1 and 30 (got 31)`). */
export function configProblems(
  root: object,
  value: unknown,
  errors: Iterable<TLocalizedValidationError>,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A union's branches, and each unknown or badly named key, report before their owner does.
    if (/\/anyOf\/\d+$/.test(e.schemaPath) || e.keyword === "boolean") continue;
    if (e.schemaPath.endsWith("/propertyNames")) continue;
    const { schema, name } = locate(root as Schema, e.instancePath, true);
    if (seen.has(name)) continue; // one problem per setting
    seen.add(name);
    const p = e.params as Record<string, unknown>;
    const what = String(schema.description ?? TYPE_WORDS[String(schema.type)] ?? "valid");
    switch (e.keyword) {
      case "additionalProperties":
        for (const k of (p.additionalProperties as string[] | undefined) ?? []) {
          problems.push(name ? `${name} has an unknown setting "${k}"` : `unknown setting "${k}"`);
        }
        break;
      case "propertyNames": {
        const rule = String((schema.propertyNames as Schema).description ?? "a valid name");
        for (const k of (p.propertyNames as string[] | undefined) ?? [])
          problems.push(`${name}: "${k}" is not ${rule}`);
        break;
      }
      case "required":
        problems.push(`${name ? `${name}.` : ""}${(p.requiredProperties as string[])[0]} is required`);
        break;
      case "minimum":
      case "maximum":
        problems.push(
          `${name} must be between ${schema.minimum} and ${schema.maximum} (got ${String(valueAt(value, e.instancePath))})`,
        );
        break;
      case "type":
        if (schema.type === "integer" && p.type === "integer")
          problems.push(`${name} must be a whole number`);
        else if (schema.type === "string" && !schema.description) problems.push(stringRule(name, schema));
        else problems.push(`${name} must be ${what}`);
        break;
      case "minLength":
      case "maxLength":
        problems.push(schema.description ? `${name} must be ${what}` : stringRule(name, schema));
        break;
      default:
        problems.push(`${name} must be ${what}`);
    }
  }
  return problems;
}

const stringRule = (name: string, schema: Schema) =>
  `${name} must be a non-empty string of at most ${schema.maxLength ?? "any number of"} characters`;
