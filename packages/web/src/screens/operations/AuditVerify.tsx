import type { AuditVerifyReport } from "@assent/sdk/contract/staff";
import { opsApi } from "../../api/endpoints.js";
import { useAction } from "../../hooks.js";
import { ErrorNote, Status } from "../../ui/feedback.js";
import { ShortId } from "../../ui/format.js";

/** "Verify chain": the check `assent audit verify` runs (every chain), reported for the chosen one. */
export function AuditVerify({ chain }: { readonly chain: string }) {
  const verify = useAction(opsApi.verifyAudit);
  return (
    <div className="audit-verify">
      <button type="button" onClick={() => void verify.run()} disabled={verify.busy}>
        {verify.busy ? "Verifying…" : "Verify chain"}
      </button>
      <ErrorNote error={verify.error} />
      <Status>{verify.data ? <VerifyResult report={verify.data} chain={chain} /> : null}</Status>
    </div>
  );
}

function VerifyResult({ report, chain }: { readonly report: AuditVerifyReport; readonly chain: string }) {
  const mine = report.chains[chain];
  const others = Object.entries(report.chains).filter(([name]) => name !== chain);
  const brokenElsewhere = others.filter(([, r]) => r.broken).map(([name]) => name);
  return (
    <span data-testid="audit-verify-result">
      {mine ? (
        mine.broken ? (
          <strong className="bad">
            Chain {chain} is broken at event {mine.broken.seq}
            {mine.broken.action ? ` (${mine.broken.action})` : ""}: {mine.broken.problem}.
          </strong>
        ) : (
          <>
            <strong>Chain {chain} verified</strong>: {mine.events.toLocaleString()} events, head{" "}
            <code className="token" title={mine.head}>
              {mine.head.slice(0, 12)}
            </code>
            .
          </>
        )
      ) : (
        <>There is no chain {chain}.</>
      )}{" "}
      {brokenElsewhere.length ? (
        <strong className="bad">Also broken: {brokenElsewhere.join(", ")}.</strong>
      ) : (
        <span className="muted">
          {others.length ? `The other chains (${others.map(([n]) => n).join(", ")}) verify too.` : ""}
        </span>
      )}
      {report.firstBroken?.id ? (
        <span>
          {" "}
          First broken event: <ShortId id={report.firstBroken.id} />
        </span>
      ) : null}
    </span>
  );
}
