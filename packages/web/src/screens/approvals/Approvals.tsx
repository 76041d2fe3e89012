import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { PENDING, queries } from "../../api/queries.js";
import { Status } from "../../ui/feedback.js";
import { RefreshButton } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { RequestList } from "../access/RequestList.js";
import { ActiveGrant } from "./ActiveGrant.js";
import { PendingRequest } from "./PendingRequest.js";

/** The approver's screen: decide pending requests (never one's own), watch and revoke grants. */
export function Approvals() {
  const pending = useQuery(queries.accessRequests(PENDING));
  const active = useQuery(queries.accessRequests({ state: "active", limit: 100 }));
  // One status line for the screen: each decision replaces the last one's message.
  const [status, setStatus] = useState<string | null>(null);
  const refreshButton = <RefreshButton loaded={[pending, active]} />;
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Approvals</h1>
        <p className="muted">
          Approve only what the justification supports. Nobody may approve their own request; decisions are
          final, and grants end by themselves.
        </p>
      </header>
      <Status>{status}</Status>
      <Section title="Pending requests" actions={refreshButton}>
        <RequestList requests={pending} what="pending requests" empty="No request is waiting for a decision.">
          {(r) => <PendingRequest key={r.id} request={r} onDecided={setStatus} />}
        </RequestList>
      </Section>
      <Section title="Active grants">
        <RequestList requests={active} what="active grants" empty="No grant is active.">
          {(r) => <ActiveGrant key={r.id} request={r} onRevoked={setStatus} />}
        </RequestList>
      </Section>
    </div>
  );
}
