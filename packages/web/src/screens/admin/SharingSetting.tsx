import type { AdminSharing } from "@assent/sdk/contract/staff";
import { useEffect, useState } from "react";
import { scopesApi } from "../../api/scopes.js";
import { useAction } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { Badge, ErrorNote, Status } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";
import { useFeatureDraft } from "./scopes/FeatureChoice.js";

const stateKey = (s: AdminSharing) => `${s.sharing}|${s.since}|${s.deleteBy ?? ""}`;

/**
 * The setting itself: the switch only changes a draft; nothing happens until Save, and turning
 * sharing off asks first, since the data shared so far is then scheduled for deletion.
 */
export function SharingSetting({
  sharing,
  onChanged,
}: {
  readonly sharing: AdminSharing;
  readonly onChanged: (s: AdminSharing) => void;
}) {
  const saved = sharing.sharing === "on";
  const [draft, setDraft] = useState(saved);
  // What the last Save did, for the state it made: once the state changes again (delete now,
  // another admin, a vendor console) the message no longer describes it and is not shown.
  const [saved_, setSaved] = useState<{ text: string; state: string } | null>(null);
  const status = saved_ && saved_.state === stateKey(sharing) ? saved_.text : null;
  const setStatus = (text: string | null, after: AdminSharing = sharing) =>
    setSaved(text === null ? null : { text, state: stateKey(after) });
  const save = useAction(scopesApi.setSharing);
  const [confirm, dialog] = useConfirm();
  const features = useFeatureDraft(sharing, draft);
  const days = sharing.program.withdrawalDeleteDays;

  useEffect(() => setDraft(saved), [saved]);

  const onSave = async () => {
    setStatus(null);
    if (!draft) {
      const ok = await confirm({
        title: "Turn data sharing off?",
        body: (
          <>
            <p>Capture stops at once: nothing more from your AI features is stored.</p>
            <p>
              Everything shared so far will be deleted within <strong>{days} days</strong>, and you can delete
              it sooner with <em>Delete now</em>.
            </p>
          </>
        ),
        confirmLabel: "Turn sharing off",
        danger: true,
      });
      if (!ok) return;
    }
    const next = await save.run(draft, features.value);
    if (next) {
      onChanged(next);
      setStatus(
        next.sharing === "on"
          ? "Saved. Sharing is on: interactions of your AI features are now captured."
          : "Saved. Sharing is off: nothing more is captured, and the shared data is scheduled for deletion.",
        next,
      );
    }
  };

  const dirty = draft !== saved || features.dirty;
  return (
    <Section title="Data sharing">
      <p className="state-line">
        Sharing is{" "}
        <Badge tone={saved ? "on" : "off"}>
          <span data-testid="sharing-state">{saved ? "on" : "off"}</span>
        </Badge>{" "}
        since <Time iso={sharing.since} />
      </p>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={draft}
          aria-checked={draft}
          onChange={(e) => {
            setDraft(e.target.checked);
            setStatus(null);
            save.clear();
          }}
        />
        <span className="switch-track" aria-hidden="true" />
        <span>Share prompts, outputs and telemetry of our AI features with the vendor</span>
      </label>
      {features.element}
      <p className="muted small">
        {dirty
          ? `Not saved yet: sharing stays ${saved ? "on" : "off"} until you press Save.`
          : "Off by default. Nothing is captured unless this is on and saved."}
      </p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() => void onSave()}
          disabled={!dirty || save.busy}
        >
          {save.busy ? "Saving…" : "Save"}
        </button>
        {dirty ? (
          <button
            type="button"
            onClick={() => {
              setDraft(saved);
              features.reset();
            }}
          >
            Undo
          </button>
        ) : null}
      </div>
      <ErrorNote error={save.error} />
      <Status>{status}</Status>
      {dialog}
    </Section>
  );
}
