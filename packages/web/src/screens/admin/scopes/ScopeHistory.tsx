import type { ProgramFeature, ScopeChange } from "@assent/sdk/contract/staff";
import { Time } from "../../../ui/format.js";
import { Section } from "../../../ui/Section.js";

const names = (list: string[] | null | undefined, features: readonly ProgramFeature[]) =>
  list === null || list === undefined
    ? "every feature"
    : list.length === 0
      ? "no feature"
      : list.map((id) => features.find((f) => f.id === id)?.name ?? id).join(", ");

function what(c: ScopeChange, features: readonly ProgramFeature[]) {
  switch (c.kind) {
    case "features":
      return (
        <>
          Features shared: <strong>{names(c.after, features)}</strong>{" "}
          <span className="muted">(was {names(c.before, features)})</span>
        </>
      );
    case "exclude":
      return (
        <>
          Excluded person <code>{c.subjectRef}</code>
          {c.reason === "objection" ? " (objection reported by the vendor's service)" : ""}
          {c.reason === "erasure" ? " (with the erasure of their data)" : ""}
        </>
      );
    case "lift":
      return (
        <>
          Lifted the exclusion of <code>{c.subjectRef}</code>
        </>
      );
    case "erase":
      return (
        <>
          Erased the data of <code>{c.subjectRef}</code> (receipt <code>{c.receiptId?.slice(0, 8)}</code>)
        </>
      );
  }
}

/** Every change of the consent scopes, newest first: who, when, what changed. */
export function ScopeHistory({
  changes,
  features,
}: {
  readonly changes: readonly ScopeChange[];
  readonly features: readonly ProgramFeature[];
}) {
  if (changes.length === 0) return null;
  return (
    <Section title="History of features and excluded people">
      <ol className="scope-changes" aria-label="Scope changes, newest first">
        {changes.map((c) => (
          <li key={c.id} data-testid="scope-change">
            <Time iso={c.at} /> · {c.via ? `${c.by} via token '${c.via.tokenName}'` : c.by} —{" "}
            {what(c, features)}
          </li>
        ))}
      </ol>
    </Section>
  );
}
