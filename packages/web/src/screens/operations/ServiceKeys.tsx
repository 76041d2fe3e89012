import type { NewIngestionKey } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { queries } from "../../api/queries.js";
import { useAction } from "../../hooks.js";
import { CopyButton } from "../../ui/CopyButton.js";
import { ErrorNote } from "../../ui/feedback.js";
import { KeyRow } from "../../ui/KeyRow.js";
import { LoadState } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";

/**
 * Service keys: one key for a multi-tenant service, capturing for every tenant of the regions it
 * covers. Issue one (its secret shown this once), see them, revoke one.
 */
export function ServiceKeys() {
  const keys = useQuery(queries.serviceKeys());
  const regions = useQuery(queries.program()).data?.regions ?? [];
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [fresh, setFresh] = useState<NewIngestionKey | null>(null);
  const create = useAction(opsApi.createServiceKey);

  const toggle = (region: string) =>
    setChosen((c) => (c.includes(region) ? c.filter((r) => r !== region) : [...c, region]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = await create.run({ name: name.trim(), ...(chosen.length ? { regions: chosen } : {}) });
    if (k) {
      setFresh(k);
      setName("");
      setChosen([]);
      void keys.refetch();
    }
  };

  return (
    <Section title="Service keys">
      <p className="muted">
        A service key lets one multi-tenant service capture for every tenant of the regions it covers: each
        item names its tenant, and each tenant's own setting decides whether it is kept.
      </p>
      {fresh ? (
        <section className="secret" aria-label="The new service key" data-testid="new-service-key">
          <p>
            <strong>Copy this key now.</strong> It is shown only this once; Assent keeps only its hash.
          </p>
          <code className="secret-value" data-testid="new-service-key-value">
            {fresh.key}
          </code>
          <div className="actions">
            <CopyButton text={fresh.key} label="Copy key" />
            <button type="button" onClick={() => setFresh(null)}>
              I have stored it
            </button>
          </div>
        </section>
      ) : null}
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="service-key-name">Name</label>
        <input
          id="service-key-name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. copilot backend"
        />
        <fieldset>
          <legend>Regions (none checked: every region)</legend>
          {regions.map((r) => (
            <label key={r}>
              <input type="checkbox" checked={chosen.includes(r)} onChange={() => toggle(r)} /> {r}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={create.busy || !name.trim()}>
          Issue service key
        </button>
      </form>
      <ErrorNote error={create.error} />
      <LoadState
        loaded={keys}
        what="service keys"
        isEmpty={keys.data?.length === 0}
        empty="There is no service key."
      />
      <ul className="key-list">
        {keys.data?.map((k) => (
          <KeyRow
            key={k.id}
            listedKey={k}
            testId="service-key-row"
            revokeKey={opsApi.revokeServiceKey}
            confirmTitle={`Revoke the service key ${k.name} (${k.prefix}…)?`}
            confirmBody={
              <p>
                Its requests are refused at once (401) and its open sharing streams end. This cannot be
                undone.
              </p>
            }
            onRevoked={() => void keys.refetch()}
          >
            <span>{k.name}</span>{" "}
            <span className="muted small">{k.regions ? k.regions.join(", ") : "every region"}</span>
          </KeyRow>
        ))}
      </ul>
    </Section>
  );
}
