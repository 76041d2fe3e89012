import type { Webhook } from "@assent/sdk/contract/staff";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { ApiError } from "../../api/client.js";
import { DataTable } from "../../ui/DataTable.js";
import { Badge, ErrorNote } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { SecretOnce } from "../../ui/SecretOnce.js";
import { Section } from "../../ui/Section.js";
import { evidenceApi } from "./evidence-api.js";

/** Access and deletion events pushed to the tenant's own endpoint (e.g. its SIEM), with a delivery log. */
export function Webhooks() {
  const [hooks, setHooks] = useState<Webhook[]>([]);
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(() => evidenceApi.webhooks().then((r) => setHooks(r.items), setError), []);
  useEffect(() => {
    void load();
  }, [load]);
  const run = (p: Promise<unknown>) =>
    p.then(() => {
      setError(null);
      return load();
    }, setError);
  const add = (e: FormEvent) => {
    e.preventDefault();
    void evidenceApi.addWebhook(url).then((r) => {
      setSecret(r.secret);
      setUrl("");
      setError(null);
      return load();
    }, setError);
  };
  return (
    <Section title="Webhooks">
      <p className="muted small">
        Assent posts every access to your data and every deletion to these URLs: ids and metadata, never
        content, signed with <code>Assent-Signature: sha256=…</code> (HMAC-SHA256 of the body with the
        secret), retried with backoff, and turned off after five failures in a row.
      </p>
      <form className="inline-form" onSubmit={add}>
        <label>
          Endpoint URL{" "}
          <input type="url" required maxLength={2048} value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <button type="submit">Add webhook</button>
      </form>
      <ErrorNote error={error} />
      {secret ? (
        <SecretOnce
          what="secret"
          label="The new webhook's signing secret"
          secret={secret}
          testId="webhook-secret"
          onDone={() => setSecret(null)}
        />
      ) : null}
      {hooks.map((h) => (
        <div key={h.id} className="stack" data-testid="webhook">
          <p>
            <code>{h.url}</code>{" "}
            {h.disabledAt ? <Badge tone="off">disabled</Badge> : <Badge tone="on">active</Badge>}{" "}
            {h.disabledReason ? <span className="muted small">{h.disabledReason}</span> : null}{" "}
            {h.disabledAt ? (
              <button type="button" onClick={() => run(evidenceApi.enableWebhook(h.id))}>
                Turn on again
              </button>
            ) : null}{" "}
            <button type="button" onClick={() => run(evidenceApi.removeWebhook(h.id))}>
              Remove
            </button>
          </p>
          {h.deliveries.length > 0 ? (
            <DataTable
              testId="webhook-deliveries"
              columns={["When", "Event", "State", "Attempts", "Last answer"]}
            >
              {h.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Time iso={d.createdAt} />
                  </td>
                  <td>{d.eventType}</td>
                  <td>{d.state}</td>
                  <td>{d.attempts}</td>
                  <td>{d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : "—")}</td>
                </tr>
              ))}
            </DataTable>
          ) : (
            <p className="muted small">No deliveries yet.</p>
          )}
        </div>
      ))}
    </Section>
  );
}
