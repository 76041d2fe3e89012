import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { queries } from "../../api/queries.js";
import { DataTable, hiddenColumn } from "../../ui/DataTable.js";
import { TextField } from "../../ui/Field.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { Keys } from "./Keys.js";

/** Tenants: create one in its (fixed) home region; pick one to manage its ingestion keys. */
export function Tenants() {
  const tenants = useQuery(queries.tenants());
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [region, setRegion] = useState("");
  const [id, setId] = useState("");
  const create = useFormAction(opsApi.createTenant);
  const regions = [...new Set((tenants.data ?? []).map((t) => t.region))].sort();

  const submit = create.submit(
    () => [{ name: name.trim(), region: region.trim(), ...(id.trim() ? { id: id.trim() } : {}) }],
    (t) => {
      setName("");
      setId("");
      setSelected(t.id);
      void tenants.refetch();
      return `Tenant ${t.name} created in ${t.region} with id ${t.id}.`;
    },
  );

  const current = tenants.data?.find((t) => t.id === selected) ?? null;
  return (
    <>
      <div className="grid two">
        <Section title="Create a tenant">
          <form className="form" onSubmit={submit}>
            <TextField
              id="tenant-name"
              label="Name"
              required
              maxLength={200}
              value={name}
              onChange={setName}
            />
            <div className="row">
              <div>
                <TextField
                  id="tenant-region"
                  label="Home region"
                  required
                  list="tenant-regions"
                  maxLength={32}
                  value={region}
                  onChange={setRegion}
                  aria-describedby="tenant-region-hint"
                />
                <datalist id="tenant-regions">
                  {[...new Set(["eu", "us", ...regions])].map((r) => (
                    <option key={r} value={r} />
                  ))}
                </datalist>
                <span className="hint" id="tenant-region-hint">
                  Fixed once the tenant has data.
                </span>
              </div>
              <div>
                <TextField
                  id="tenant-id"
                  label="Id"
                  note="(optional)"
                  maxLength={64}
                  pattern="[a-z0-9][a-z0-9_\-]*"
                  title="lower-case letters, digits, _ and -"
                  value={id}
                  onChange={setId}
                />
              </div>
            </div>
            <FormFooter action={create}>Create tenant</FormFooter>
          </form>
        </Section>
        {current ? (
          <Keys tenant={current} />
        ) : (
          <Section title="Ingestion keys">
            <p className="muted">Choose a tenant below to see and issue its ingestion keys.</p>
          </Section>
        )}
      </div>
      <Section title="Tenants" actions={<RefreshButton loaded={tenants} />}>
        <LoadState
          loaded={tenants}
          what="tenants"
          isEmpty={tenants.data?.length === 0}
          empty="No tenant yet."
        />
        {tenants.data?.length ? (
          <DataTable testId="tenants" columns={["Name", "Id", "Region", "Created", hiddenColumn("Keys")]}>
            {tenants.data.map((t) => (
              <tr key={t.id} className={t.id === selected ? "selected" : undefined}>
                <td>{t.name}</td>
                <td>
                  <code>{t.id}</code>
                </td>
                <td>{t.region}</td>
                <td>
                  <Time iso={t.createdAt} />
                </td>
                <td>
                  <button type="button" onClick={() => setSelected(t.id)} aria-pressed={t.id === selected}>
                    Keys
                    <span className="sr-only"> of {t.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </Section>
    </>
  );
}
