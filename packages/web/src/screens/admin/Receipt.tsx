import type { DeletionCounts } from "@assent/sdk/contract/staff";
import { DownloadJson } from "../../ui/DownloadJson.js";
import { Time } from "../../ui/format.js";

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function countsOf(v: unknown): DeletionCounts | null {
  if (!v || typeof v !== "object") return null;
  const c = v as Record<string, unknown>;
  const n = (k: string) => (typeof c[k] === "number" ? (c[k] as number) : 0);
  return {
    interactions: n("interactions"),
    labels: n("labels"),
    datasetItems: n("datasetItems"),
    dataKeys: n("dataKeys"),
  };
}

/** A deletion receipt: what the purge deleted and when, and its hash as recorded in the audit log. */
export function Receipt({ receipt }: { readonly receipt: Record<string, unknown> }) {
  const counts = countsOf(receipt.deleted);
  const kind = str(receipt.kind);
  const hash = str(receipt.hash);
  return (
    <div className="receipt" data-testid="receipt">
      <p>
        <strong>Deletion receipt</strong>
        {kind ? ` (${kind})` : ""} · completed <Time iso={str(receipt.completedAt)} />
      </p>
      {counts ? (
        <ul className="inline-list">
          <li>{counts.interactions} interactions</li>
          <li>{counts.labels} labels</li>
          <li>{counts.datasetItems} dataset items</li>
          <li>{counts.dataKeys} encryption keys destroyed</li>
        </ul>
      ) : null}
      <p className="muted small">
        Receipt <code>{str(receipt.id) ?? "—"}</code>
        {hash ? (
          <>
            {" "}
            · sha256 <code className="hash">{hash}</code>
          </>
        ) : null}
      </p>
      <DownloadJson value={receipt} filename={`deletion-receipt-${str(receipt.id) ?? "unknown"}.json`}>
        Download receipt (JSON)
      </DownloadJson>
    </div>
  );
}
