import type { InteractionMeta, ReviewedInteraction } from "@assent/sdk/contract/staff";
import type { ApiError } from "../../api/client.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { num, ShortId, Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";
import { Content } from "./Content.js";

/** One side of a comparison: the interaction's content (an audited read) and what tells it apart. */
export function CompareSide({
  side,
  read,
}: {
  readonly side: "A" | "B";
  readonly read: { readonly data?: ReviewedInteraction | undefined; readonly error: ApiError | null };
}) {
  const i = read.data;
  if (!i) {
    return (
      <Section title={side}>
        {read.error ? <ErrorNote error={read.error} /> : <Loading what={`interaction ${side}`} />}
      </Section>
    );
  }
  return (
    <Section title={side} className="compare-side">
      <p className="muted small" data-testid={`compare-${side.toLowerCase()}-meta`}>
        <ShortId id={i.id} /> · <Time iso={i.occurredAt} />
        {i.telemetry.model ? ` · ${i.telemetry.model}` : ""}
        {i.telemetry.latencyMs === null ? "" : ` · ${num(i.telemetry.latencyMs)} ms`}
      </p>
      <h3>Input</h3>
      <Content value={i.input} testId={`compare-${side.toLowerCase()}-input`} />
      <h3>Output</h3>
      <Content value={i.output} testId={`compare-${side.toLowerCase()}-output`} />
    </Section>
  );
}

/** The interactions B may be: others of A's tenant and feature (metadata only, nothing read yet). */
export function CompareCandidates({
  others,
  onPick,
}: {
  readonly others: readonly InteractionMeta[];
  readonly onPick: (id: string) => void;
}) {
  return (
    <Section title="B: choose an interaction to compare with">
      {others.length === 0 ? (
        <p className="muted">No other interaction of this tenant and feature is open to you.</p>
      ) : (
        <ul className="plain-list" data-testid="compare-candidates">
          {others.map((o) => (
            <li key={o.id}>
              <button type="button" onClick={() => onPick(o.id)}>
                Compare with <ShortId id={o.id} /> · <Time iso={o.occurredAt} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
