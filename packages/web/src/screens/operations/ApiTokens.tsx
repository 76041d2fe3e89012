import { API_SCOPES, type ApiScope, type ApiToken, type NewApiToken } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { queries } from "../../api/queries.js";
import { useAction } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { DataTable, hiddenColumn } from "../../ui/DataTable.js";
import { TextField } from "../../ui/Field.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { Badge, ErrorNote } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { SecretOnce } from "../../ui/SecretOnce.js";
import { Section } from "../../ui/Section.js";

const SCOPE_HINTS: Record<ApiScope, string> = {
  "tenants:read": "list tenants with their sharing state",
  "tenants:write": "create and rename tenants by external id",
  "keys:write": "issue and revoke ingestion keys",
  "sharing:read": "read a tenant's setting and history",
  "sharing:write": "change a tenant's setting on behalf of a named admin",
  "program:write": "declare, rename and retire the program's AI features",
};

/** Management API tokens for automation and vendors' admin consoles: issue (shown once), list, revoke. */
export function ApiTokens() {
  const tokens = useQuery(queries.tokens());
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiScope[]>([]);
  const [fresh, setFresh] = useState<NewApiToken | null>(null);
  const create = useFormAction(opsApi.createToken);
  const toggle = (s: ApiScope, on: boolean) =>
    setScopes((cur) => (on ? [...cur, s] : cur.filter((x) => x !== s)));

  const submit = create.submit(
    () => [name.trim(), scopes],
    (t) => {
      setFresh(t);
      setName("");
      setScopes([]);
      void tokens.refetch();
      return `Token ${t.name} issued.`;
    },
  );

  return (
    <>
      <Section title="Issue an API token">
        {fresh ? (
          <SecretOnce
            what="token"
            label="The new API token"
            secret={fresh.token}
            testId="new-token"
            onDone={() => setFresh(null)}
          />
        ) : null}
        <form className="form" onSubmit={submit}>
          <TextField
            id="token-name"
            label="Token name"
            required
            maxLength={100}
            value={name}
            onChange={setName}
            placeholder="e.g. Contoso admin console"
          />
          <fieldset>
            <legend>Scopes</legend>
            {API_SCOPES.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) => toggle(s, e.target.checked)}
                />
                <code>{s}</code> <span className="muted small">{SCOPE_HINTS[s]}</span>
              </label>
            ))}
          </fieldset>
          <FormFooter action={create} disabled={scopes.length === 0}>
            Issue token
          </FormFooter>
        </form>
      </Section>
      <Section title="API tokens" actions={<RefreshButton loaded={tokens} />}>
        <LoadState
          loaded={tokens}
          what="API tokens"
          isEmpty={tokens.data?.length === 0}
          empty="No token yet."
        />
        {tokens.data?.length ? (
          <DataTable
            testId="api-tokens"
            columns={["Name", "Token", "Scopes", "Created", "Last used", "State", hiddenColumn("Revoke")]}
          >
            {tokens.data.map((t) => (
              <TokenRow key={t.id} token={t} onRevoked={() => void tokens.refetch()} />
            ))}
          </DataTable>
        ) : null}
      </Section>
    </>
  );
}

function TokenRow({ token: t, onRevoked }: { readonly token: ApiToken; readonly onRevoked: () => void }) {
  const revoke = useAction(opsApi.revokeToken);
  const [confirm, dialog] = useConfirm();
  const onRevoke = async () => {
    const ok = await confirm({
      title: `Revoke the token ${t.name}?`,
      body: <p>Requests with this token are refused at once (401). This cannot be undone.</p>,
      confirmLabel: "Revoke token",
      danger: true,
    });
    if (ok && (await revoke.run(t.id))) onRevoked();
  };
  return (
    <tr data-testid="api-token-row">
      <td>{t.name}</td>
      <td>
        <code>{t.prefix}…</code>
      </td>
      <td>
        {t.scopes.map((s) => (
          <code key={s} className="scope">
            {s}{" "}
          </code>
        ))}
      </td>
      <td>
        <Time iso={t.createdAt} />
      </td>
      <td>
        <Time iso={t.lastUsedAt} withRelative />
      </td>
      <td>{t.revokedAt ? <Badge tone="off">revoked</Badge> : <Badge tone="on">live</Badge>}</td>
      <td>
        {t.revokedAt ? null : (
          <button
            type="button"
            className="danger small-button"
            onClick={() => void onRevoke()}
            disabled={revoke.busy}
          >
            Revoke<span className="sr-only"> {t.name}</span>
          </button>
        )}
        <ErrorNote error={revoke.error} />
        {dialog}
      </td>
    </tr>
  );
}
