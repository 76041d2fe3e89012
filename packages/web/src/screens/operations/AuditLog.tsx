import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { queries } from "../../api/queries.js";
import { useCursorPages } from "../../hooks.js";
import { AUDIT_FILTERS } from "../../search.js";
import { DataTable } from "../../ui/DataTable.js";
import { Filter, FilterBar, FilterInput, useFilters } from "../../ui/Filters.js";
import { localToIso, ShortId, Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { CursorPager } from "../../ui/Pager.js";
import { Section } from "../../ui/Section.js";

/** The hash-chained audit log, one chain at a time (control or region-<name>), newest first. */
export function AuditLog() {
  const pages = useCursorPages();
  const search = useSearch({ from: "/operations/audit" });
  const navigate = useNavigate({ from: "/operations/audit" });
  const { filters, apply, field } = useFilters("audit", AUDIT_FILTERS, search, (next) => {
    pages.reset();
    void navigate({ search: next });
  });
  const audit = useQuery({
    ...queries.audit({
      chain: filters.chain.trim() || "control",
      tenant: filters.tenant.trim(),
      action: filters.action.trim(),
      actor: filters.actor.trim(),
      from: localToIso(filters.from),
      to: localToIso(filters.to),
      cursor: pages.cursor,
      limit: 50,
    }),
    placeholderData: keepPreviousData,
  });
  const items = audit.data?.items ?? [];
  return (
    <Section title="Audit log" actions={<RefreshButton loaded={audit} />}>
      <FilterBar onSubmit={apply} label="Filter the audit log">
        <Filter id="audit-chain" label="Chain">
          <input {...field("chain")} list="audit-chains" maxLength={64} />
          <datalist id="audit-chains">
            <option value="control" />
            <option value="region-eu" />
            <option value="region-us" />
          </datalist>
        </Filter>
        <FilterInput label="Tenant" {...field("tenant")} maxLength={64} />
        <FilterInput label="Action" {...field("action")} maxLength={64} placeholder="interaction.read" />
        <FilterInput label="Actor id" {...field("actor")} maxLength={64} />
        <FilterInput label="From" {...field("from")} type="datetime-local" />
        <FilterInput label="To" {...field("to")} type="datetime-local" />
      </FilterBar>
      <LoadState loaded={audit} what="the audit log" isEmpty={items.length === 0} empty="No event matches." />
      {items.length > 0 ? (
        <DataTable
          testId="audit"
          columns={[
            { label: "#", num: true },
            "When",
            "Action",
            "Actor",
            "Tenant",
            "Target",
            "Grant / reason",
            "Details",
            "Hash",
          ]}
        >
          {items.map((e) => (
            <tr key={e.id}>
              <td className="num">{e.seq}</td>
              <td>
                <Time iso={e.at} />
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <ShortId id={e.actorId} />
                {e.actorRole ? <span className="muted"> {e.actorRole}</span> : null}
              </td>
              <td>{e.tenantId ? <code>{e.tenantId}</code> : <span className="muted">—</span>}</td>
              <td>
                {e.targetType ? <span>{e.targetType} </span> : null}
                <ShortId id={e.targetId} />
              </td>
              <td>
                <ShortId id={e.grantId} />
                {e.reason ? <span> {e.reason}</span> : null}
              </td>
              <td className="details">
                {Object.keys(e.details).length ? <code>{JSON.stringify(e.details)}</code> : null}
              </td>
              <td>
                <code className="hash" title={`${e.hash} (previous ${e.prevHash})`}>
                  {e.hash.slice(0, 12)}
                </code>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <CursorPager label="Audit log" pages={pages} nextCursor={audit.data?.nextCursor} />
    </Section>
  );
}
