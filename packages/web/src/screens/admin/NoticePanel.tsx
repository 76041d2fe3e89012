import type { NoticeStatus } from "@assent/sdk/contract/staff";
import { useEffect, useState } from "react";
import type { ApiError } from "../../api/client.js";
import { ErrorNote } from "../../ui/feedback.js";
import { Section } from "../../ui/Section.js";
import { evidenceApi } from "./evidence-api.js";

const list = (xs: readonly string[]) => (xs.length ? xs.join(", ") : "none");

/**
 * "The notice changed since you opted in": shown only when it did, with what changed. A new
 * purpose applies to this tenant only once the admin accepts (a new signed consent record).
 */
export function NoticePanel() {
  const [status, setStatus] = useState<NoticeStatus | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    evidenceApi.notice().then(setStatus, setError);
  }, []);
  const accept = () => evidenceApi.acceptNotice().then(setStatus, setError);
  if (!status?.change || !status.accepted) return error ? <ErrorNote error={error} /> : null;
  const { change, accepted, current } = status;
  return (
    <Section title="The notice changed since you opted in" className="notice-change">
      <div data-testid="notice-change">
        {change.addedPurposes.length ? (
          <p>
            New purposes: <strong>{list(change.addedPurposes)}</strong>. They do not apply to your data until
            you accept them; until then datasets built for them cannot include your interactions.
          </p>
        ) : null}
        {change.removedPurposes.length ? (
          <p>Purposes no longer declared: {list(change.removedPurposes)}.</p>
        ) : null}
        {change.nameChanged ? (
          <p>
            The program was renamed from “{accepted.name}” to “{current.name}”.
          </p>
        ) : null}
        {change.textChanged ? (
          <div className="grid two">
            <div>
              <h3>What you accepted</h3>
              <p className="muted small">{accepted.text}</p>
            </div>
            <div>
              <h3>The notice now</h3>
              <p className="small">{current.text}</p>
            </div>
          </div>
        ) : null}
        <p className="muted small">
          Purposes in force for your data: {list(status.purposes)}. Notice version you accepted{" "}
          <code>{accepted.version.slice(0, 12)}</code>, current <code>{current.version.slice(0, 12)}</code>.
        </p>
        <ErrorNote error={error} />
        <button type="button" onClick={accept}>
          Accept the changed notice
        </button>
      </div>
    </Section>
  );
}
