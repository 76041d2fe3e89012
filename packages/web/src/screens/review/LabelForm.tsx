import { type FormEvent, useState } from "react";
import { reviewApi } from "../../api/endpoints.js";
import type { Label } from "../../api/types.js";
import { useAction } from "../../hooks.js";
import { FieldLabel, TextField } from "../../ui/Field.js";
import { ErrorNote, Status } from "../../ui/feedback.js";

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
  const [status, setStatus] = useState<string | null>(null);
  const add = useAction(reviewApi.label);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    const tagList = tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const label = await add.run(interactionId, {
      ...(rating !== null ? { rating } : {}),
      ...(tagList.length ? { tags: tagList } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    if (label) {
      onAdded(label);
      setStatus("Label added.");
      setRating(null);
      setTags("");
      setNote("");
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="form label-form">
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
        maxLength={4000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={add.busy}>
          Add label
        </button>
      </div>
      <ErrorNote error={add.error} />
      <Status>{status}</Status>
    </form>
  );
}
