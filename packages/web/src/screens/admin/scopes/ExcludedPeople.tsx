import "./scopes.css";
import type { Exclusion } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { queries } from "../../../api/queries.js";
import { scopesApi } from "../../../api/scopes.js";
import { useAction } from "../../../hooks.js";
import { useConfirm } from "../../../ui/confirm.js";
import { TextField } from "../../../ui/Field.js";
import { ErrorNote, Status } from "../../../ui/feedback.js";
import { Time } from "../../../ui/format.js";
import { Section } from "../../../ui/Section.js";
import { Receipt } from "../Receipt.js";

const REASONS: Record<Exclusion["reason"], string> = {
  admin: "added by an admin",
  objection: "objection reported by the vendor's service",
  erasure: "data erased",
};

/**
 * Excluded people: the ids (the vendor's pseudonymous `subject` of an end user) whose interactions
 * are never captured, and erasure of one person's data. Assent keeps only a keyed fingerprint of
 * each id, so the list shows fingerprints; the admin types the id to exclude or erase.
 */
export function ExcludedPeople({ onChanged }: { readonly onChanged: () => void }) {
  const list = useQuery(queries.exclusions());
  const [subject, setSubject] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const [receipt, setReceipt] = useState<Record<string, unknown> | null>(null);
  const exclude = useAction(scopesApi.exclude);
  const lift = useAction(scopesApi.lift);
  const erase = useAction(scopesApi.erase);
  const [confirm, dialog] = useConfirm();
  const id = subject.trim();

  // The status is shown once the list shows the change too (never a message ahead of the list).
  const done = async (text: string) => {
    await list.refetch();
    setStatus(text);
    onChanged();
  };
  const onExclude = async () => {
    setStatus(null);
    const r = await exclude.run(id);
    if (r) {
      setSubject("");
      await done(`Excluded (fingerprint ${r.ref}): their interactions are no longer captured.`);
    }
  };
  const onErase = async () => {
    setStatus(null);
    const ok = await confirm({
      title: "Erase this person's data?",
      body: (
        <>
          <p>
            Every interaction captured about this person is deleted now, with the reviewers' labels and
            dataset entries about them. This cannot be undone.
          </p>
          <p>They stay excluded afterwards, so nothing more about them is captured, until you remove them.</p>
        </>
      ),
      confirmLabel: "Erase their data",
      danger: true,
    });
    if (!ok) return;
    const r = await erase.run(id);
    if (r) {
      setSubject("");
      setReceipt(r);
      await done("Erased. The receipt below lists what was deleted.");
    }
  };
  const onLift = async (ref: string) => {
    setStatus(null);
    const r = await lift.run(ref);
    if (r)
      await done(r.lifted ? `Removed ${ref}: their interactions are captured again.` : "Already removed.");
  };

  const items = list.data?.items ?? [];
  return (
    <Section title="Excluded people">
      <p className="muted">
        Your AI features may tell Assent which of your users an interaction is about (an id of theirs, not a
        name). Exclude a person and their interactions are never captured, even while sharing is on. Erase a
        person's data to delete what was already captured about them. Assent never stores the id itself, only
        a keyed fingerprint, which is what the list shows.
      </p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (id) void onExclude();
        }}
      >
        <TextField
          id="exclude-subject"
          label="Person's id"
          value={subject}
          maxLength={256}
          autoComplete="off"
          onChange={(v) => {
            setSubject(v);
            exclude.clear();
            erase.clear();
          }}
        />
        <div className="actions">
          <button type="submit" disabled={!id || exclude.busy}>
            {exclude.busy ? "Excluding…" : "Exclude"}
          </button>
          <button
            type="button"
            className="danger"
            disabled={!id || erase.busy}
            onClick={() => void onErase()}
          >
            {erase.busy ? "Erasing…" : "Erase their data"}
          </button>
        </div>
      </form>
      <ErrorNote error={exclude.error ?? erase.error ?? lift.error ?? list.error} />
      <Status>{status}</Status>
      {receipt ? <Receipt receipt={receipt} /> : null}
      {items.length === 0 ? (
        <p className="muted small">Nobody is excluded.</p>
      ) : (
        <ul className="exclusions" aria-label="Excluded people">
          {items.map((x) => (
            <li key={x.ref} data-testid="exclusion">
              <code>{x.ref}</code> · since <Time iso={x.excludedAt} /> · {x.excludedBy} ·{" "}
              <span className="muted small">{REASONS[x.reason]}</span>{" "}
              <button type="button" onClick={() => void onLift(x.ref)} disabled={lift.busy}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {dialog}
    </Section>
  );
}
