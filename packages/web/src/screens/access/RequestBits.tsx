import type { AccessRequest } from "@assent/sdk/contract/staff";
import { Badge } from "../../ui/feedback.js";
import { durationLabel, Time } from "../../ui/format.js";

const TONES: Record<string, string> = {
  pending: "warn",
  approved: "on",
  denied: "bad",
  expired: "off",
  cancelled: "off",
};

/** A request's state, and its grant's when it has one (active, ended, revoked). */
export function RequestState({ request }: { readonly request: AccessRequest }) {
  const grant = request.grant;
  return (
    <span data-testid="request-state">
      <Badge tone={TONES[request.state] ?? "off"}>{request.state}</Badge>
      {grant ? (
        <>
          {" "}
          <Badge tone={grant.status === "active" ? "on" : "off"}>grant {grant.status}</Badge>
        </>
      ) : null}
    </span>
  );
}

export function RequestScope({ request }: { readonly request: AccessRequest }) {
  return (
    <span>
      region <strong>{request.region}</strong>
      {request.tenantId ? (
        <>
          , tenant <code>{request.tenantId}</code>
        </>
      ) : (
        <span className="muted">, every tenant</span>
      )}
    </span>
  );
}

export function RequestReason({ request }: { readonly request: AccessRequest }) {
  return (
    <span>
      <strong>{request.reasonCode}</strong>: {request.justification}
      {request.ticket ? <span className="muted"> · ticket {request.ticket}</span> : null}
    </span>
  );
}

export function GrantWindow({ request }: { readonly request: AccessRequest }) {
  const grant = request.grant;
  if (!grant) {
    return (
      <span className="muted">
        {durationLabel(request.durationMinutes)} asked
        {request.state === "pending" ? (
          <>
            , decide by <Time iso={request.decideBy} />
          </>
        ) : null}
      </span>
    );
  }
  return (
    <span>
      {grant.status === "revoked" ? (
        <>
          revoked <Time iso={grant.revokedAt} />
        </>
      ) : (
        <>
          {grant.status === "active" ? "until" : "ended"}{" "}
          <Time iso={grant.endsAt} withRelative={grant.status === "active"} />
        </>
      )}
    </span>
  );
}
