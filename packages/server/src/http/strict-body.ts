import type { FastifySchemaValidationError, SchemaErrorDataVar } from "fastify/types/schema.js";
import { Type } from "typebox";

/**
 * Fastify's validator silently drops properties a schema does not list (`additionalProperties:
 * false` with removeAdditional). Bodies built with `STRICT` refuse them instead, and
 * `namingUnknownProperties` says which one, so a client sending a field this server does not
 * support (yet) hears so rather than believing it took effect.
 */
export const STRICT = { additionalProperties: Type.Never() };

export function namingUnknownProperties(
  errors: FastifySchemaValidationError[],
  dataVar: SchemaErrorDataVar,
): Error {
  const text = errors
    .map((e) =>
      e.schemaPath.endsWith("additionalProperties/not")
        ? `${dataVar}${e.instancePath} is not a known property`
        : `${dataVar}${e.instancePath} ${e.message ?? "is invalid"}`,
    )
    .join(", ");
  return new Error(text);
}
