import { accessApi } from "../../api/endpoints.js";
import { useLoad } from "../../hooks.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { Section } from "../../ui/Section.js";
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
    <button type="button" onClick={refresh} disabled={pending.loading || active.loading}>
      Refresh
    </button>
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
        <ErrorNote error={pending.error} />
        {!pending.data && pending.loading ? <Loading what="pending requests" /> : null}
        {pending.data?.items.length === 0 ? (
          <p className="muted">No request is waiting for a decision.</p>
        ) : null}
        <ul className="request-list">
          {pending.data?.items.map((r) => (
            <PendingRequest key={r.id} request={r} onDecided={refresh} />
          ))}
        </ul>
      </Section>
      <Section title="Active grants">
        <ErrorNote error={active.error} />
        {!active.data && active.loading ? <Loading what="active grants" /> : null}
        {active.data?.items.length === 0 ? <p className="muted">No grant is active.</p> : null}
        <ul className="request-list">
          {active.data?.items.map((r) => (
            <ActiveGrant key={r.id} request={r} onRevoked={refresh} />
          ))}
        </ul>
      </Section>
    </div>
  );
}
