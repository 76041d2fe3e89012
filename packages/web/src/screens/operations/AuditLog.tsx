import type { AuditEvent } from "@assent/sdk/contract/staff";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { queries } from "../../api/queries.js";
import { useCursorPages } from "../../hooks.js";
import { AUDIT_FILTERS } from "../../search.js";
import { Actor } from "../../ui/Actor.js";
import { DataTable, hiddenColumn } from "../../ui/DataTable.js";
import { Drawer, JsonView } from "../../ui/Drawer.js";
import { Filter, FilterBar, FilterInput, useFilters } from "../../ui/Filters.js";
import { localToIso, ShortId, Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { CursorPager } from "../../ui/Pager.js";
import { Section } from "../../ui/Section.js";
import { AuditVerify } from "./AuditVerify.js";

/** The hash-chained audit log, one chain at a time (control or region-<name>), newest first. */
export function AuditLog() {
  const pages = useCursorPages();
  const search = useSearch({ from: "/operations/audit" });
  const navigate = useNavigate({ from: "/operations/audit" });
  const { filters, apply, field } = useFilters("audit", AUDIT_FILTERS, search, (next) => {
    pages.reset();
    void navigate({ search: next });
  });
  const regions = useQuery(queries.program()).data?.regions ?? [];
  const chains = ["control", ...regions.map((r) => `region-${r}`)];
  if (!chains.includes(filters.chain)) chains.push(filters.chain);
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
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const items = audit.data?.items ?? [];
  return (
    <Section title="Audit log" actions={<RefreshButton loaded={audit} />}>
      <AuditVerify chain={filters.chain} />
      <FilterBar onSubmit={apply} label="Filter the audit log">
        <Filter id="audit-chain" label="Chain">
          <select {...field("chain")}>
            {chains.map((c) => (
              <option key={c} value={c}>
                {c === "control" ? "control (accounts, access, tenants)" : `${c} (content and data)`}
              </option>
            ))}
          </select>
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
          caption={`Events of the ${filters.chain} chain, newest first`}
          columns={[
            { label: "#", num: true },
            "When",
            "Action",
            "Actor",
            "Tenant",
            "Target",
            "Grant / reason",
            hiddenColumn("Details"),
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
                <Actor id={e.actorId} actor={e.actor} role={e.actorRole} />
              </td>
              <td>
                <ShortId id={e.tenantId} />
              </td>
              <td>
                {e.targetType ? <span className="token">{e.targetType} </span> : null}
                <ShortId id={e.targetId} />
              </td>
              <td>
                <ShortId id={e.grantId} />
                {e.reason ? <span className="token"> {e.reason}</span> : null}
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => setOpen(e)}
                  aria-label={`Details of event ${e.seq}`}
                >
                  Details
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <CursorPager label="Audit log" pages={pages} nextCursor={audit.data?.nextCursor} />
      {open ? (
        <Drawer title={`Event ${open.seq} · ${open.action}`} onClose={() => setOpen(null)}>
          <EventFacts event={open} />
          <JsonView value={open.details} testId="audit-details" />
        </Drawer>
      ) : null}
    </Section>
  );
}

function EventFacts({ event: e }: { readonly event: AuditEvent }) {
  return (
    <dl className="facts-grid">
      <dt>Chain / sequence</dt>
      <dd>
        {e.chain} / {e.seq}
      </dd>
      <dt>When</dt>
      <dd>
        <Time iso={e.at} />
      </dd>
      <dt>Actor</dt>
      <dd>
        <Actor id={e.actorId} actor={e.actor} role={e.actorRole} />
        {e.actorId ? <div className="muted small">{e.actorId}</div> : null}
      </dd>
      <dt>Event id</dt>
      <dd>
        <code>{e.id}</code>
      </dd>
      <dt>Hash</dt>
      <dd>
        <code className="hash">{e.hash}</code>
      </dd>
      <dt>Previous hash</dt>
      <dd>
        <code className="hash">{e.prevHash}</code>
      </dd>
    </dl>
  );
}
