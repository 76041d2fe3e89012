import type { AdminSharing } from "@assent/sdk/contract/staff";
import { useState } from "react";
import { adminApi } from "../../api/endpoints.js";
import { useAction } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { ErrorNote, Status } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";

/** The deletion deadline after an opt-out, and "Delete now" while sharing is off. */
export function DeletionPanel({
  sharing,
  onChanged,
}: {
  readonly sharing: AdminSharing;
  readonly onChanged: (s: AdminSharing) => void;
}) {
  const deleteNow = useAction(adminApi.deleteNow);
  const [confirm, dialog] = useConfirm();
  const [status, setStatus] = useState<string | null>(null);
  const on = sharing.sharing === "on";
  const pending = sharing.deleteBy !== null;

  const onDelete = async () => {
    setStatus(null);
    const ok = await confirm({
      title: "Delete the shared data now?",
      body: (
        <p>
          All interactions, review labels and dataset items of your closed sharing periods are deleted and
          their encryption keys destroyed. This cannot be undone.
        </p>
      ),
      confirmLabel: "Delete now",
      danger: true,
    });
    if (!ok) return;
    const next = await deleteNow.run();
    if (next) {
      onChanged(next);
      setStatus("Deleted. The deletion receipt is in the history below.");
    }
  };

  return (
    <Section title="Deletion">
      {pending && sharing.deleteBy ? (
        <p className="deadline" data-testid="delete-by">
          The data shared before you turned sharing off will be deleted by{" "}
          <strong>
            <Time iso={sharing.deleteBy} withRelative />
          </strong>
          .
        </p>
      ) : (
        <p>
          {on
            ? `While sharing is on, shared data is kept at most ${sharing.program.retentionDays} days. After you turn sharing off, it is deleted within ${sharing.program.withdrawalDeleteDays} days.`
            : "No shared data is waiting for deletion."}
        </p>
      )}
      {!on && pending ? (
        <div className="actions">
          <button type="button" className="danger" onClick={() => void onDelete()} disabled={deleteNow.busy}>
            {deleteNow.busy ? "Deleting…" : "Delete now"}
          </button>
        </div>
      ) : on ? (
        <p className="muted small">Delete now is available once sharing is off.</p>
      ) : null}
      <ErrorNote error={deleteNow.error} />
      <Status>{status}</Status>
      {dialog}
    </Section>
  );
}
