import type { NewIngestionKey, Tenant } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { queries } from "../../api/queries.js";
import { useAction } from "../../hooks.js";
import { ErrorNote } from "../../ui/feedback.js";
import { KeyRow } from "../../ui/KeyRow.js";
import { LoadState } from "../../ui/Loaded.js";
import { SecretOnce } from "../../ui/SecretOnce.js";
import { Section } from "../../ui/Section.js";

/** A tenant's ingestion keys: issue one (its secret shown this once), revoke one. */
export function Keys({ tenant }: { readonly tenant: Tenant }) {
  const keys = useQuery(queries.keysOf(tenant.id));
  const [label, setLabel] = useState("");
  const [fresh, setFresh] = useState<NewIngestionKey | null>(null);
  const create = useAction(opsApi.createKey);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = await create.run(tenant.id, label);
    if (k) {
      setFresh(k);
      setLabel("");
      void keys.refetch();
    }
  };

  return (
    <Section title={`Ingestion keys of ${tenant.name}`}>
      {fresh ? (
        <SecretOnce
          what="key"
          label="The new ingestion key"
          secret={fresh.key}
          testId="new-key"
          onDone={() => setFresh(null)}
        />
      ) : null}
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="key-label">Label</label>
        <input
          id="key-label"
          maxLength={100}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          placeholder="e.g. copilot backend, production"
        />
        <button type="submit" className="primary" disabled={create.busy}>
          Issue key
        </button>
      </form>
      <ErrorNote error={create.error} />
      <LoadState
        loaded={keys}
        what="keys"
        isEmpty={keys.data?.length === 0}
        empty="This tenant has no key."
      />
      <ul className="key-list">
        {keys.data?.map((k) => (
          <KeyRow
            key={k.id}
            listedKey={k}
            testId="key-row"
            revokeKey={opsApi.revokeKey}
            confirmTitle={`Revoke the key ${k.prefix}…?`}
            confirmBody={<p>Requests with this key are refused at once (401). This cannot be undone.</p>}
            onRevoked={() => void keys.refetch()}
          >
            {k.label ? <span>{k.label}</span> : null}
          </KeyRow>
        ))}
      </ul>
    </Section>
  );
}
