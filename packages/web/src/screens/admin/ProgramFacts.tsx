import type { Program } from "@assent/sdk/contract/staff";
import { purposeWords } from "../../ui/purposes.js";
import { Section } from "../../ui/Section.js";

/** What is shared and how it is handled, in plain words, from the program's own settings. */
export function ProgramFacts({ program }: { readonly program: Program }) {
  return (
    <Section title="What is shared and how it is handled" className="facts">
      <p>
        <strong>{program.name}.</strong> {program.description}
      </p>
      <dl>
        <dt>What is shared</dt>
        <dd>
          The prompts (input), outputs and telemetry (model, latency, token counts, feedback) of the AI
          features your organisation uses, only while sharing is on.
        </dd>
        <dt>Where it is stored</dt>
        <dd>
          In your home region, <strong>{program.region}</strong>. It is never stored in another region.
        </dd>
        <dt>How long it is kept</dt>
        <dd>
          At most <strong>{program.retentionDays} days</strong>; older data is deleted and can no longer be
          read.
        </dd>
        <dt>When you turn sharing off</dt>
        <dd>
          Capture stops at once, and everything shared is deleted within{" "}
          <strong>{program.withdrawalDeleteDays} days</strong> — or at once, with Delete now. You get a
          deletion receipt.
        </dd>
        <dt>Who can see it</dt>
        <dd>{program.whoCanSee}</dd>
        <dt>Customer approval (lockbox)</dt>
        <dd>{program.lockbox}</dd>
        <dt>What it is used for</dt>
        <dd>
          <ul className="plain-list" data-testid="purposes">
            {program.allowedPurposes.map((p) => (
              <li key={p} title={p}>
                {purposeWords(p)}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Never used for</dt>
        <dd>{program.neverAllowed.map((p) => purposeWords(p)).join("; ")}. No setting can allow it.</dd>
      </dl>
    </Section>
  );
}
