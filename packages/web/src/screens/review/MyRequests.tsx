import type { AccessRequest, AccessRequestList } from "@assent/sdk/contract/staff";
import { useState } from "react";
import { accessApi } from "../../api/endpoints.js";
import { keys } from "../../api/queries.js";
import { type Loaded, useAction } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { ErrorNote, Status } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { RefreshButton } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { GrantWindow, RequestReason, RequestScope, RequestState } from "../access/RequestBits.js";
import { RequestList } from "../access/RequestList.js";

/** The reviewer's own requests and their state: cancel a pending one, end an active grant early. */
export function MyRequests({ requests }: { readonly requests: Loaded<AccessRequestList> }) {
  return (
    <Section title="Your access requests" actions={<RefreshButton loaded={requests} />}>
      <RequestList requests={requests} what="your requests" empty="You have not asked for access yet.">
        {(r) => <MyRequest key={r.id} request={r} />}
      </RequestList>
    </Section>
  );
}

function MyRequest({ request }: { readonly request: AccessRequest }) {
  const cancel = useAction(accessApi.cancel, { invalidates: [keys.access] });
  const revoke = useAction(accessApi.revoke, { invalidates: [keys.access] });
  const [confirm, dialog] = useConfirm();
  const [status, setStatus] = useState<string | null>(null);

  const onCancel = async () => {
    if (await cancel.run(request.id)) {
      setStatus("Request cancelled.");
    }
  };
  const onRevoke = async () => {
    const ok = await confirm({
      title: "End this access now?",
      body: <p>The grant ends at once; you need a new approved request to read content again.</p>,
      confirmLabel: "End access",
      danger: true,
    });
    if (ok && (await revoke.run(request.id))) {
      setStatus("Access ended.");
    }
  };

  return (
    <li className="request" data-testid="my-request">
      <div className="request-head">
        <RequestState request={request} /> <RequestScope request={request} />
      </div>
      <div className="small">
        <RequestReason request={request} />
      </div>
      <div className="muted small">
        asked <Time iso={request.createdAt} /> · <GrantWindow request={request} />
      </div>
      {request.decisionNote ? (
        <div className="small">Note from the approver: {request.decisionNote}</div>
      ) : null}
      <div className="actions">
        {request.state === "pending" ? (
          <button type="button" onClick={() => void onCancel()} disabled={cancel.busy}>
            Cancel request
          </button>
        ) : null}
        {request.grant?.status === "active" ? (
          <button type="button" className="danger" onClick={() => void onRevoke()} disabled={revoke.busy}>
            End access now
          </button>
        ) : null}
      </div>
      <ErrorNote error={cancel.error ?? revoke.error} />
      <Status>{status}</Status>
      {dialog}
    </li>
  );
}
