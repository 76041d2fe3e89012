import { type FormEvent, useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import type { IngestionKey, NewIngestionKey, Tenant } from "../../api/types.js";
import { useAction, useLoad } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { Badge, ErrorNote } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { LoadState } from "../../ui/Loaded.js";
import { SecretOnce } from "../../ui/SecretOnce.js";
import { Section } from "../../ui/Section.js";

/** A tenant's ingestion keys: issue one (its secret shown this once), revoke one. */
export function Keys({ tenant }: { readonly tenant: Tenant }) {
  const keys = useLoad(() => opsApi.keys(tenant.id), `keys:${tenant.id}`);
  const [label, setLabel] = useState("");
  const [fresh, setFresh] = useState<NewIngestionKey | null>(null);
  const create = useAction(opsApi.createKey);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = await create.run(tenant.id, label);
    if (k) {
      setFresh(k);
      setLabel("");
      keys.reload();
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
          <KeyRow key={k.id} ingestionKey={k} onRevoked={keys.reload} />
        ))}
      </ul>
    </Section>
  );
}

function KeyRow({
  ingestionKey: k,
  onRevoked,
}: {
  readonly ingestionKey: IngestionKey;
  readonly onRevoked: () => void;
}) {
  const revoke = useAction(opsApi.revokeKey);
  const [confirm, dialog] = useConfirm();
  const onRevoke = async () => {
    const ok = await confirm({
      title: `Revoke the key ${k.prefix}…?`,
      body: <p>Requests with this key are refused at once (401). This cannot be undone.</p>,
      confirmLabel: "Revoke key",
      danger: true,
    });
    if (ok && (await revoke.run(k.id))) onRevoked();
  };
  return (
    <li className="key-row" data-testid="key-row">
      <code>{k.prefix}…</code> {k.label ? <span>{k.label}</span> : null}{" "}
      {k.revokedAt ? <Badge tone="off">revoked</Badge> : <Badge tone="on">live</Badge>}
      <span className="muted small">
        {" "}
        created <Time iso={k.createdAt} />
        {k.revokedAt ? (
          <>
            , revoked <Time iso={k.revokedAt} />
          </>
        ) : null}
      </span>
      {k.revokedAt ? null : (
        <button
          type="button"
          className="danger small-button"
          onClick={() => void onRevoke()}
          disabled={revoke.busy}
        >
          Revoke
        </button>
      )}
      <ErrorNote error={revoke.error} />
      {dialog}
    </li>
  );
}
