import type { AccessRequest } from "@assent/sdk/contract/staff";
import { useId, useState } from "react";
import { accessApi } from "../../api/endpoints.js";
import { keys } from "../../api/queries.js";
import { useAction } from "../../hooks.js";
import { ErrorNote } from "../../ui/feedback.js";
import { durationLabel, Time } from "../../ui/format.js";
import { RequestReason, RequestScope } from "../access/RequestBits.js";

export function PendingRequest({
  request,
  onDecided,
}: {
  readonly request: AccessRequest;
  /** What the decision did, for the screen's status line (the request leaves this list). */
  readonly onDecided: (status: string) => void;
}) {
  const approve = useAction(accessApi.approve, { invalidates: [keys.access] });
  const deny = useAction(accessApi.deny, { invalidates: [keys.access] });
  const [denying, setDenying] = useState(false);
  const [note, setNote] = useState("");
  const noteId = useId();

  const onApprove = async () => {
    deny.clear();
    const r = await approve.run(request.id);
    if (r) {
      onDecided(
        r.state === "approved"
          ? `Approved ${request.requester.email}'s request: the grant is active.`
          : `Approval of ${request.requester.email}'s request recorded; another is needed.`,
      );
    }
  };
  const onDeny = async () => {
    approve.clear();
    if (await deny.run(request.id, note)) {
      onDecided(`Denied ${request.requester.email}'s request.`);
    }
  };

  return (
    <li className="request" data-testid="pending-request">
      <div className="request-head">
        <strong>{request.requester.email}</strong> asks for <RequestScope request={request} /> for{" "}
        {durationLabel(request.durationMinutes)}
      </div>
      <div className="small">
        <RequestReason request={request} />
      </div>
      <div className="muted small">
        asked <Time iso={request.createdAt} /> · decide by <Time iso={request.decideBy} /> · approvals{" "}
        {request.approvals.length}/{request.approvalsRequired}
      </div>
      {denying ? (
        <div className="deny-form">
          <label htmlFor={noteId}>
            Note to the requester <span className="muted">(optional)</span>
          </label>
          <input id={noteId} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => void onApprove()} disabled={approve.busy}>
          Approve
        </button>
        {denying ? (
          <>
            <button type="button" className="danger" onClick={() => void onDeny()} disabled={deny.busy}>
              Confirm deny
            </button>
            <button type="button" onClick={() => setDenying(false)}>
              Back
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setDenying(true)}>
            Deny…
          </button>
        )}
      </div>
      <ErrorNote error={approve.error ?? deny.error} />
    </li>
  );
}
