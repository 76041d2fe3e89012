import type { LabelVocabulary } from "@assent/sdk/contract/staff";
import { FieldLabel } from "../../ui/Field.js";

/** The label being written for the current item (the queue screen owns it; keys set the rating). */
export interface Draft {
  readonly rating: number | null;
  readonly tags: readonly string[];
  readonly note: string;
  readonly corrected: string;
}

export const EMPTY_DRAFT: Draft = { rating: null, tags: [], note: "", corrected: "" };

export const isEmptyDraft = (d: Draft) =>
  d.rating === null && d.tags.length === 0 && !d.note.trim() && !d.corrected.trim();

/** The label form built from the program's label schema: rating scale, tag vocabulary, corrected output. */
export function QueueLabel({
  schema,
  draft,
  onChange,
}: {
  readonly schema: LabelVocabulary;
  readonly draft: Draft;
  readonly onChange: (d: Draft) => void;
}) {
  const scale = Array.from({ length: schema.rating.max }, (_, i) => i + 1);
  const freeTags = schema.tags.length === 0;
  return (
    <div className="form label-form">
      <fieldset className="rating">
        <legend>Rating (keys 1–{schema.rating.max})</legend>
        {scale.map((n) => (
          <label key={n} className="rating-choice">
            <input
              type="radio"
              name="queue-rating"
              value={n}
              checked={draft.rating === n}
              onChange={() => onChange({ ...draft, rating: n })}
            />
            {n}
            {schema.rating.names[n - 1] ? <span className="muted"> {schema.rating.names[n - 1]}</span> : null}
          </label>
        ))}
      </fieldset>
      {freeTags ? (
        <>
          <FieldLabel id="queue-tags" label="Tags" note="(comma-separated)" />
          <input
            id="queue-tags"
            value={draft.tags.join(", ")}
            onChange={(e) =>
              onChange({
                ...draft,
                tags: e.target.value
                  .split(",")
                  .map((t) => t.trim())
                  .filter(Boolean),
              })
            }
          />
        </>
      ) : (
        <fieldset>
          <legend>Tags</legend>
          {schema.tags.map((t) => (
            <label key={t} className="check">
              <input
                type="checkbox"
                checked={draft.tags.includes(t)}
                onChange={(e) =>
                  onChange({
                    ...draft,
                    tags: e.target.checked ? [...draft.tags, t] : draft.tags.filter((x) => x !== t),
                  })
                }
              />
              {t}
            </label>
          ))}
        </fieldset>
      )}
      <FieldLabel id="queue-note" label="Note" note="(optional; sealed like the content)" />
      <textarea
        id="queue-note"
        rows={2}
        maxLength={schema.limits.noteMax}
        value={draft.note}
        onChange={(e) => onChange({ ...draft, note: e.target.value })}
      />
      {schema.correctedOutput ? (
        <>
          <FieldLabel
            id="queue-corrected"
            label="Corrected output"
            note="(optional: what the answer should have been)"
          />
          <textarea
            id="queue-corrected"
            rows={3}
            maxLength={schema.limits.correctedOutputMax}
            value={draft.corrected}
            onChange={(e) => onChange({ ...draft, corrected: e.target.value })}
          />
        </>
      ) : null}
    </div>
  );
}
