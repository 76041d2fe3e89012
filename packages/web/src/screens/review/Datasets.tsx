import type { Dataset } from "@assent/sdk/contract/staff";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import type { ApiError } from "../../api/client.js";
import { queries } from "../../api/queries.js";
import { workApi } from "../../api/work.js";
import { workKeys, workQueries } from "../../api/work-queries.js";
import { type FiltersOf, QUEUE_FILTERS } from "../../search.js";
import { DataTable } from "../../ui/DataTable.js";
import { Filter, FilterBar, FilterInput, useFilters } from "../../ui/Filters.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { ErrorNote, Status } from "../../ui/feedback.js";
import { localToIso, num, ShortId, Time } from "../../ui/format.js";
import { LoadState } from "../../ui/Loaded.js";
import { NEVER_ALLOWED_WHY, purposeWords } from "../../ui/purposes.js";
import { Section } from "../../ui/Section.js";
import { RegionPicker, TenantPicker, useScopeChoices } from "./ScopePickers.js";

/** At most this many interactions are taken "from the filter" (the server's per-call limit). */
const FROM_FILTER_MAX = 500;

const toQuery = (f: FiltersOf<typeof QUEUE_FILTERS>) => ({
  tenant: f.tenant,
  region: f.region,
  feature: f.feature.trim(),
  from: localToIso(f.from),
  to: localToIso(f.to),
});

/**
 * Datasets: made from the current filter or a selection, for one of the program's allowed
 * purposes (never training foundation models); export is an audited action.
 */
export function Datasets() {
  const search = useSearch({ from: "/review/datasets" });
  const navigate = useNavigate({ from: "/review/datasets" });
  const { filters, apply, field } = useFilters(
    "ds",
    QUEUE_FILTERS,
    search,
    (next) => void navigate({ search: next }),
  );
  const choices = useScopeChoices();
  const program = useQuery(queries.program());
  const query = toQuery(filters);
  const matching = useQuery({
    ...queries.reviewQueue({ ...query, limit: 50 }),
    placeholderData: keepPreviousData,
  });
  const list = useQuery(workQueries.datasets());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [name, setName] = useState("");
  const [purpose, setPurpose] = useState("");
  const [region, setRegion] = useState("");
  const [source, setSource] = useState<"filter" | "selection">("filter");
  const items = matching.data?.items ?? [];
  const chosenRegion = filters.region || region;

  const create = useFormAction(
    async () => {
      const ids =
        source === "selection"
          ? [...selected]
          : (await workApi.matching(query, FROM_FILTER_MAX))
              .filter((m) => m.region === chosenRegion)
              .map((m) => m.id);
      const dataset = await workApi.createDataset({ region: chosenRegion, name: name.trim(), purpose });
      let added = 0;
      if (ids.length) added = (await workApi.addItems(dataset.id, ids)).added;
      return { dataset, added };
    },
    { invalidates: [workKeys.datasets] },
  );
  const submit = create.submit(
    () => [],
    ({ dataset, added }) => {
      setName("");
      setSelected(new Set());
      return `Dataset "${dataset.name}" made with ${added} interactions.`;
    },
  );

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const purposes = program.data?.program.allowedPurposes ?? [];
  return (
    <div className="screen">
      <p>
        <Link to="/review">← Back to the workbench</Link>
      </p>
      <header className="screen-head">
        <h1>Datasets</h1>
        <p className="muted">
          A dataset holds interactions of one region for one of the program's purposes. Adding and exporting
          need an active grant covering each tenant, and are recorded in the audit log.
        </p>
      </header>
      <Section title="Interactions to take">
        <FilterBar onSubmit={apply} label="Filter the interactions">
          <Filter id="ds-tenant" label="Tenant">
            <TenantPicker tenants={choices.tenants} region={filters.region} {...field("tenant")} />
          </Filter>
          <Filter id="ds-region" label="Region">
            <RegionPicker regions={choices.regions} {...field("region")} />
          </Filter>
          <FilterInput label="Feature" {...field("feature")} maxLength={128} />
          <FilterInput label="From" {...field("from")} type="datetime-local" />
          <FilterInput label="To" {...field("to")} type="datetime-local" />
        </FilterBar>
        <LoadState
          loaded={matching}
          what="the interactions"
          isEmpty={items.length === 0}
          empty="No interactions match."
        />
        {items.length ? (
          <DataTable
            testId="dataset-candidates"
            columns={["Select", "Occurred", "Feature", "Tenant", "Region"]}
          >
            {items.map((m) => (
              <tr key={m.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select interaction ${m.id}`}
                    checked={selected.has(m.id)}
                    onChange={(e) => toggle(m.id, e.target.checked)}
                  />
                </td>
                <td>
                  <Time iso={m.occurredAt} />
                </td>
                <td>{m.feature}</td>
                <td>
                  {choices.tenants.find((t) => t.id === m.tenantId)?.name ?? <ShortId id={m.tenantId} />}
                </td>
                <td>{m.region}</td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </Section>
      <div className="grid two">
        <Section title="Make a dataset">
          <form className="form" onSubmit={submit} aria-label="Make a dataset">
            <Filter id="ds-name" label="Name">
              <input
                id="ds-name"
                required
                maxLength={120}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </Filter>
            <Filter id="ds-purpose" label="Purpose">
              <select id="ds-purpose" required value={purpose} onChange={(e) => setPurpose(e.target.value)}>
                <option value="">Choose what it is for…</option>
                {purposes.map((p) => (
                  <option key={p} value={p}>
                    {purposeWords(p)}
                  </option>
                ))}
              </select>
            </Filter>
            <p className="muted small" data-testid="never-allowed">
              Never allowed: training foundation models. {NEVER_ALLOWED_WHY}
            </p>
            {filters.region ? null : (
              <Filter id="ds-new-region" label="Region">
                <RegionPicker
                  id="ds-new-region"
                  anyLabel={null}
                  required
                  regions={choices.regions}
                  value={region}
                  onChange={(e) => setRegion(e.target.value)}
                />
              </Filter>
            )}
            <fieldset>
              <legend>Interactions</legend>
              <label className="check">
                <input
                  type="radio"
                  name="ds-source"
                  checked={source === "filter"}
                  onChange={() => setSource("filter")}
                />
                All matching the filter above (up to {FROM_FILTER_MAX})
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="ds-source"
                  checked={source === "selection"}
                  onChange={() => setSource("selection")}
                />
                Only the {selected.size} selected
              </label>
            </fieldset>
            <FormFooter
              action={create}
              disabled={!chosenRegion || !purpose || (source === "selection" && selected.size === 0)}
            >
              Make dataset
            </FormFooter>
          </form>
        </Section>
        <Section title="Your program's datasets">
          <LoadState
            loaded={list}
            what="datasets"
            isEmpty={(list.data ?? []).length === 0}
            empty="No dataset yet."
          />
          <ul className="datasets">
            {(list.data ?? []).map((d) => (
              <DatasetRow key={d.id} dataset={d} />
            ))}
          </ul>
        </Section>
      </div>
    </div>
  );
}

function DatasetRow({ dataset: d }: { readonly dataset: Dataset }) {
  const [open, setOpen] = useState(false);
  const items = useQuery({ ...workQueries.datasetItems(d.id), enabled: open });
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const exportNow = async () => {
    setBusy(true);
    setError(null);
    try {
      const { blob, items: n } = await workApi.exportDataset(d.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `dataset-${d.id}.jsonl`;
      a.click();
      URL.revokeObjectURL(url);
      setStatus(
        `Exported ${n} interactions. The export is in the audit log, and each tenant sees it in its access log.`,
      );
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-testid="dataset">
      <strong>{d.name}</strong> · {purposeWords(d.purpose)} · {d.region} · {num(d.items)} interactions ·{" "}
      <Time iso={d.createdAt} />
      <div className="actions">
        <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? "Hide items" : "Show items"}
        </button>
        <button type="button" onClick={() => void exportNow()} disabled={busy}>
          Export (audited)
        </button>
      </div>
      <ErrorNote error={error} />
      <Status>{status}</Status>
      {open && items.data ? (
        <ul className="small">
          {items.data.map((i) => (
            <li key={i.interactionId}>
              <Link to="/review/interactions/$id" params={{ id: i.interactionId }}>
                <ShortId id={i.interactionId} />
              </Link>{" "}
              · added <Time iso={i.addedAt} />
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
