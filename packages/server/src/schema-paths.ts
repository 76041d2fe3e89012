/**
 * Finds the schema at a validation error's instance path, and the setting's or field's name for
 * people: `telemetry.attributes values` for a record's entries (a client's key is not named),
 * `program.allowedPurposes` for a list's items. Shared by item reasons and config problems.
 */
export type Schema = Record<string, unknown>;

const pointerSegment = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~");

export function locate(
  root: Schema,
  instancePath: string,
  /** Name a record's keys (an operator's region names), rather than `… values` (a client's keys). */
  nameKeys = false,
): { schema: Schema; name: string } {
  let schema = root;
  let name = "";
  for (const segment of instancePath.split("/").slice(1).map(pointerSegment)) {
    const properties = schema.properties as Record<string, Schema> | undefined;
    const patterns = schema.patternProperties as Record<string, Schema> | undefined;
    if (properties?.[segment]) {
      schema = properties[segment];
      name = name ? `${name}.${segment}` : segment;
    } else if (patterns && !Array.isArray(schema.items)) {
      schema = Object.values(patterns)[0] ?? {};
      name = nameKeys ? `${name}.${segment}` : `${name} values`;
    } else break; // a list's item: the list is named, with its description
  }
  return { schema, name };
}

/** The value at an instance path (to report a number that is out of bounds). */
export function valueAt(root: unknown, instancePath: string): unknown {
  let v = root;
  for (const segment of instancePath.split("/").slice(1).map(pointerSegment)) {
    v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[segment] : undefined;
  }
  return v;
}

export const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "a whole number",
  number: "a number",
  object: "an object",
  array: "a list",
  boolean: "true or false",
};
