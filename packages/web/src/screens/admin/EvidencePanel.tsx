import type { EvidenceBundle } from "@assent/sdk/contract/staff";
import { type EvidenceReport, verifyEvidence } from "@assent/sdk/evidence";
import { useState } from "react";
import { ApiError } from "../../api/client.js";
import { DataTable } from "../../ui/DataTable.js";
import { Badge, ErrorNote } from "../../ui/feedback.js";
import { ShortId, Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";
import { evidenceApi } from "./evidence-api.js";

/** Saves the bundle as a file, as the browser downloads any attachment. */
function save(bundle: EvidenceBundle): void {
  const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `assent-evidence-${bundle.tenant.id}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const timeOf = (x: Record<string, unknown>) => String(x.time ?? x.completedAt ?? "");

/**
 * The evidence bundle: downloaded for an auditor, and checked here, in the browser, against the
 * deployment's published public keys, with the same verifier as `assent evidence verify`.
 */
export function EvidencePanel() {
  const [bundle, setBundle] = useState<EvidenceBundle | null>(null);
  const [report, setReport] = useState<EvidenceReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const [b, keys] = await Promise.all([evidenceApi.bundle(), evidenceApi.keys()]);
      save(b);
      setBundle(b);
      if (!globalThis.crypto?.subtle)
        throw new ApiError(
          0,
          "no_webcrypto",
          "this page is not served over https: the browser cannot verify here",
        );
      setReport(await verifyEvidence({ records: b.records, receipts: b.receipts }, keys));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "verify_failed", (err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  const items = bundle ? [...bundle.records, ...bundle.receipts] : [];
  return (
    <Section
      title="Evidence"
      actions={
        <button type="button" onClick={download} disabled={busy}>
          {busy ? "Preparing…" : "Download evidence"}
        </button>
      }
    >
      <p className="muted small">
        Every change of your setting is a signed consent record and every deletion a signed receipt. Download
        them with the access log for your auditor; each is checked here against the vendor's published key,
        and anyone can check them again with <code>assent evidence verify</code> or standard tools.
      </p>
      <ErrorNote error={error} />
      {report ? (
        <p data-testid="evidence-summary">
          {report.ok ? <Badge tone="on">all verified</Badge> : <Badge tone="bad">not verified</Badge>}{" "}
          {report.records} consent records, {report.receipts} deletion receipts,{" "}
          {bundle?.accessLog.length ?? 0} access-log entries
        </p>
      ) : null}
      {report && items.length > 0 ? (
        <DataTable
          testId="evidence-items"
          caption="Signed consent records and deletion receipts, each verified in this browser"
          columns={["When", "What", "Kind", "Id", "Signed by key", "Check"]}
        >
          {report.items.map((r, i) => (
            <tr key={`${r.item}-${r.id}`} data-verified={r.ok ? "yes" : "no"}>
              <td>{items[i] ? <Time iso={timeOf(items[i] as Record<string, unknown>)} /> : null}</td>
              <td>{r.item === "record" ? "consent record" : "deletion receipt"}</td>
              <td>{r.kind}</td>
              <td>
                {/* Ids are time-ordered (UUIDv7): their end tells records of one day apart. */}
                <code className="id" title={r.id}>
                  …{r.id.slice(-8)}
                </code>
              </td>
              <td>
                <ShortId id={r.kid} />
              </td>
              <td>
                {r.ok ? (
                  <Badge tone="on">verified</Badge>
                ) : (
                  <Badge tone="bad">{`not verified: ${r.problems[0]}`}</Badge>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Section>
  );
}
