import { LABEL_LIMITS } from "@assent/sdk/contract";
import type { ProgramConfig } from "../../config.js";
import { badRequest } from "../../errors.js";
import type { LabelInput } from "./types.js";

export const TAG = new RegExp(`^[a-z0-9][a-z0-9._:-]{0,${LABEL_LIMITS.tagLength - 1}}$`);

/** What a label may hold in this program: the reviewers' form is built from it. */
export interface LabelSchema {
  readonly rating: { readonly min: 1; readonly max: number; readonly names: readonly string[] };
  /** The tag vocabulary; empty: any tag of the allowed shape. */
  readonly tags: readonly string[];
  readonly correctedOutput: boolean;
  readonly limits: typeof LABEL_LIMITS;
}

export function labelSchemaOf(program: Pick<ProgramConfig, "labels">): LabelSchema {
  const l = program.labels;
  return {
    rating: { min: 1, max: l.ratingMax, names: l.ratingNames.slice(0, l.ratingMax) },
    tags: [...l.tags],
    correctedOutput: l.correctedOutput,
    limits: LABEL_LIMITS,
  };
}

export interface CheckedLabel {
  readonly rating: number | null;
  readonly tags: string[];
  readonly note: string | null;
  readonly correctedOutput: string | null;
}

/** A label checked against the program's label schema; every refusal names the rule. */
export function checkLabel(schema: LabelSchema, input: LabelInput): CheckedLabel {
  const rating = input.rating ?? null;
  if (rating !== null && (!Number.isInteger(rating) || rating < 1 || rating > schema.rating.max)) {
    throw badRequest("invalid_rating", `rating must be a whole number from 1 to ${schema.rating.max}`);
  }
  const tags = [...new Set(input.tags ?? [])];
  if (tags.length > LABEL_LIMITS.maxTags || tags.some((t) => !TAG.test(t))) {
    throw badRequest(
      "invalid_tags",
      `tags: at most ${LABEL_LIMITS.maxTags}, each 1-${LABEL_LIMITS.tagLength} characters of a-z, 0-9 and ._:- starting alphanumeric`,
    );
  }
  if (schema.tags.length > 0) {
    const unknown = tags.filter((t) => !schema.tags.includes(t));
    if (unknown.length > 0) {
      throw badRequest(
        "invalid_tags",
        `tags must come from the program's vocabulary (${schema.tags.join(", ")}); not in it: ${unknown.join(", ")}`,
      );
    }
  }
  const note = input.note?.trim() || null;
  if (note !== null && note.length > LABEL_LIMITS.noteMax) {
    throw badRequest("invalid_note", `note must be at most ${LABEL_LIMITS.noteMax} characters`);
  }
  const correctedOutput = input.correctedOutput?.trim() ? input.correctedOutput : null;
  if (correctedOutput !== null) {
    if (!schema.correctedOutput) {
      throw badRequest("invalid_corrected_output", "this program's labels do not take a corrected output");
    }
    if (correctedOutput.length > LABEL_LIMITS.correctedOutputMax) {
      throw badRequest(
        "invalid_corrected_output",
        `correctedOutput must be at most ${LABEL_LIMITS.correctedOutputMax} characters`,
      );
    }
  }
  if (rating === null && tags.length === 0 && note === null && correctedOutput === null) {
    throw badRequest("empty_label", "a label needs a rating, tags, a note or a corrected output");
  }
  return { rating, tags, note, correctedOutput };
}
