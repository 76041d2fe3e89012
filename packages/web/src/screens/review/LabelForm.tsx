import { LABEL_LIMITS, type Label } from "@assent/sdk/contract/staff";
import { useState } from "react";
import { reviewApi } from "../../api/endpoints.js";
import { FieldLabel, TextField } from "../../ui/Field.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";

/** Add a label: a rating 1–5, tags, a note (sealed with the interaction's key by the server). */
export function LabelForm({
  interactionId,
  onAdded,
}: {
  readonly interactionId: string;
  readonly onAdded: (label: Label) => void;
}) {
  const [rating, setRating] = useState<number | null>(null);
  const [tags, setTags] = useState("");
  const [note, setNote] = useState("");
  const add = useFormAction(reviewApi.label);

  const submit = add.submit(
    () => {
      const tagList = tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      return [
        interactionId,
        {
          ...(rating !== null ? { rating } : {}),
          ...(tagList.length ? { tags: tagList } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      ];
    },
    (label) => {
      onAdded(label);
      setRating(null);
      setTags("");
      setNote("");
      return "Label added.";
    },
  );

  return (
    <form onSubmit={submit} className="form label-form">
      <fieldset className="rating">
        <legend>Rating</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className="rating-choice">
            <input
              type="radio"
              name="rating"
              value={n}
              checked={rating === n}
              onChange={() => setRating(n)}
            />
            {n}
          </label>
        ))}
      </fieldset>
      <TextField
        id="label-tags"
        label="Tags"
        note="(comma-separated)"
        value={tags}
        onChange={setTags}
        placeholder="helpful, tone"
      />
      <FieldLabel id="label-note" label="Note" />
      <textarea
        id="label-note"
        rows={3}
        maxLength={LABEL_LIMITS.noteMax}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <FormFooter action={add}>Add label</FormFooter>
    </form>
  );
}
