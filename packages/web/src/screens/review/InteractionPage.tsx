import type { Label } from "@assent/sdk/contract/staff";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { queries } from "../../api/queries.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { num, ShortId, Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";
import { Content } from "./Content.js";
import { LabelForm } from "./LabelForm.js";
import { labelText } from "./label-text.js";

/** One interaction with its content. Opening it is an audited read under the reviewer's grant. */
export function InteractionPage({ id }: { readonly id: string }) {
  const read = useQuery(queries.interaction(id));
  const client = useQueryClient();
  const back = (
    <p>
      <Link to="/review">← Back to the workbench</Link>
    </p>
  );
  if (!read.data) {
    return (
      <div className="screen">
        {back}
        {read.error ? <ErrorNote error={read.error} /> : <Loading what="the interaction" />}
      </div>
    );
  }
  const i = read.data;
  const t = i.telemetry;
  const addLabel = (label: Label) =>
    client.setQueryData(queries.interaction(id).queryKey, { ...i, labels: [...i.labels, label] });
  return (
    <div className="screen">
      {back}
      <header className="screen-head">
        <h1>Interaction {i.feature}</h1>
        <p className="audit-notice" role="note" data-testid="audited-read">
          This read was recorded in the audit log under grant <code>{i.grantId}</code>. The tenant{" "}
          <code>{i.tenantId}</code> sees it in its access log.
        </p>
      </header>
      <div className="grid two">
        <Section title="Input">
          <Content value={i.input} testId="interaction-input" />
        </Section>
        <Section title="Output">
          <Content value={i.output} testId="interaction-output" />
        </Section>
      </div>
      <div className="grid two">
        <Section title="Details">
          <dl className="facts-grid">
            <dt>Interaction</dt>
            <dd>
              <code>{i.id}</code>
            </dd>
            <dt>Tenant / region</dt>
            <dd>
              <code>{i.tenantId}</code> / {i.region}
            </dd>
            <dt>Occurred</dt>
            <dd>
              <Time iso={i.occurredAt} />
            </dd>
            <dt>Captured</dt>
            <dd>
              <Time iso={i.capturedAt} />
            </dd>
            <dt>Conversation</dt>
            <dd>{i.conversationId ?? "—"}</dd>
            <dt>Model</dt>
            <dd>
              {t.model ?? "—"}
              {t.provider ? ` (${t.provider})` : ""}
            </dd>
            <dt>Latency</dt>
            <dd>{t.latencyMs === null ? "—" : `${num(t.latencyMs)} ms`}</dd>
            <dt>Tokens in / out</dt>
            <dd>
              {num(t.tokensIn)} / {num(t.tokensOut)}
            </dd>
            <dt>Finish reason</dt>
            <dd>{t.finishReason ?? "—"}</dd>
            <dt>User feedback</dt>
            <dd>{num(t.feedback)}</dd>
            {Object.entries(t.attributes).map(([k, v]) => (
              <div key={k} className="contents">
                <dt>{k}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))}
          </dl>
        </Section>
        <Section title="Labels">
          {i.labels.length === 0 ? <p className="muted">No labels yet.</p> : null}
          <ul className="labels">
            {i.labels.map((l) => (
              <li key={l.id} data-testid="label">
                <strong>{labelText(l)}</strong>
                {l.tags.length ? <span> · {l.tags.join(", ")}</span> : null}
                {l.note ? <div>{l.note}</div> : null}
                <div className="muted small">
                  <Time iso={l.createdAt} /> · reviewer <ShortId id={l.reviewerId} />
                </div>
              </li>
            ))}
          </ul>
          <LabelForm interactionId={i.id} onAdded={addLabel} />
          <p>
            <Link to="/review/compare" search={{ a: i.id }} data-testid="compare-link">
              Compare with another {i.feature} answer
            </Link>
          </p>
        </Section>
      </div>
    </div>
  );
}
