import { accessApi } from "../../api/endpoints.js";
import { useLoad } from "../../hooks.js";
import { RefreshButton } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { RequestList } from "../access/RequestList.js";
import { ActiveGrant } from "./ActiveGrant.js";
import { PendingRequest } from "./PendingRequest.js";

/** The approver's screen: decide pending requests (never one's own), watch and revoke grants. */
export function Approvals() {
  const pending = useLoad(() => accessApi.list({ state: "pending", limit: 100 }), "pending");
  const active = useLoad(() => accessApi.list({ state: "active", limit: 100 }), "active");
  const refresh = () => {
    pending.reload();
    active.reload();
  };
  const refreshButton = (
    <RefreshButton loaded={{ reload: refresh, loading: pending.loading || active.loading }} />
  );
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Approvals</h1>
        <p className="muted">
          Approve only what the justification supports. Nobody may approve their own request; decisions are
          final, and grants end by themselves.
        </p>
      </header>
      <Section title="Pending requests" actions={refreshButton}>
        <RequestList requests={pending} what="pending requests" empty="No request is waiting for a decision.">
          {(r) => <PendingRequest key={r.id} request={r} onDecided={refresh} />}
        </RequestList>
      </Section>
      <Section title="Active grants">
        <RequestList requests={active} what="active grants" empty="No grant is active.">
          {(r) => <ActiveGrant key={r.id} request={r} onRevoked={refresh} />}
        </RequestList>
      </Section>
    </div>
  );
}
