import type { AccessRequest } from "@assent/sdk/contract/staff";
import { accessApi } from "../../api/endpoints.js";
import { keys } from "../../api/queries.js";
import { useAction } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { ErrorNote } from "../../ui/feedback.js";
import { ShortId, Time } from "../../ui/format.js";
import { GrantWindow, RequestReason, RequestScope } from "../access/RequestBits.js";

export function ActiveGrant({
  request,
  onRevoked,
}: {
  readonly request: AccessRequest;
  readonly onRevoked: (status: string) => void;
}) {
  const revoke = useAction(accessApi.revoke, { invalidates: [keys.access] });
  const [confirm, dialog] = useConfirm();
  const onRevoke = async () => {
    const ok = await confirm({
      title: `Revoke the access of ${request.requester.email}?`,
      body: <p>The grant ends at once. Reads already made stay in the audit log.</p>,
      confirmLabel: "Revoke",
      danger: true,
    });
    if (ok && (await revoke.run(request.id))) onRevoked(`Revoked the access of ${request.requester.email}.`);
  };
  return (
    <li className="request" data-testid="active-grant">
      <div className="request-head">
        <strong>{request.requester.email}</strong> · <RequestScope request={request} />
      </div>
      <div className="small">
        <RequestReason request={request} />
      </div>
      <div className="muted small">
        grant <ShortId id={request.grant?.id ?? null} /> · started{" "}
        <Time iso={request.grant?.startsAt ?? null} /> · <GrantWindow request={request} />
      </div>
      <div className="actions">
        <button type="button" className="danger" onClick={() => void onRevoke()} disabled={revoke.busy}>
          Revoke
        </button>
      </div>
      <ErrorNote error={revoke.error} />
      {dialog}
    </li>
  );
}
