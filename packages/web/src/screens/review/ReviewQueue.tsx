import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import type { Query } from "../../api/client.js";
import { queries } from "../../api/queries.js";
import { useCursorPages } from "../../hooks.js";
import { type FiltersOf, QUEUE_FILTERS } from "../../search.js";
import { DataTable, hiddenColumn } from "../../ui/DataTable.js";
import { Filter, FilterBar, FilterInput, useFilters } from "../../ui/Filters.js";
import { localToIso, num, ShortId, Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { CursorPager } from "../../ui/Pager.js";
import { Section } from "../../ui/Section.js";
import { RegionPicker, TenantPicker, useScopeChoices } from "./ScopePickers.js";

const toQuery = (f: FiltersOf<typeof QUEUE_FILTERS>, cursor: string | null): Query => ({
  tenant: f.tenant.trim(),
  region: f.region.trim(),
  feature: f.feature.trim(),
  from: localToIso(f.from),
  to: localToIso(f.to),
  limit: f.limit,
  cursor,
});

/** The review queue: metadata only (no content), filtered, newest first, cursor-paged. */
export function ReviewQueue({
  activeGrants,
  grantsKnown,
}: {
  readonly activeGrants: number;
  readonly grantsKnown: boolean;
}) {
  const pages = useCursorPages();
  const search = useSearch({ from: "/review" });
  const navigate = useNavigate({ from: "/review" });
  const { filters, apply, field } = useFilters("queue", QUEUE_FILTERS, search, (next) => {
    pages.reset();
    void navigate({ search: next });
  });
  // The grants are part of the key: a grant approved (or ended) shows in the queue at once.
  const queue = useQuery({
    ...queries.reviewQueue(toQuery(filters, pages.cursor), activeGrants),
    placeholderData: keepPreviousData,
  });
  const items = queue.data?.items ?? [];
  const choices = useScopeChoices(activeGrants);
  const tenantName = (id: string) => choices.tenants.find((t) => t.id === id)?.name;

  return (
    <Section title="Review queue" actions={<RefreshButton loaded={queue} />}>
      {grantsKnown && activeGrants === 0 ? (
        <p className="notice">
          You hold no active grant: request access and wait for an approver to see the queue.
        </p>
      ) : null}
      <FilterBar onSubmit={apply} label="Filter the queue">
        <Filter id="queue-tenant" label="Tenant">
          <TenantPicker tenants={choices.tenants} region={filters.region} {...field("tenant")} />
        </Filter>
        <Filter id="queue-region" label="Region">
          <RegionPicker regions={choices.regions} {...field("region")} />
        </Filter>
        <FilterInput label="Feature" {...field("feature")} maxLength={128} placeholder="sales.email-draft" />
        <FilterInput label="From" {...field("from")} type="datetime-local" />
        <FilterInput label="To" {...field("to")} type="datetime-local" />
        <Filter id="queue-limit" label="Per page">
          <select {...field("limit")}>
            {["10", "25", "50", "100"].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Filter>
      </FilterBar>
      <LoadState
        loaded={queue}
        what="the queue"
        isEmpty={items.length === 0}
        empty="No interactions match."
      />
      {items.length > 0 ? (
        <DataTable
          testId="queue"
          caption="Interactions your grants cover, newest first (metadata only)"
          columns={[
            "Occurred",
            "Feature",
            "Tenant",
            "Model",
            { label: "Latency ms", num: true },
            { label: "Tokens in/out", num: true },
            { label: "Feedback", num: true },
            hiddenColumn("Open"),
          ]}
        >
          {items.map((m) => (
            <tr key={m.id}>
              <td>
                <Time iso={m.occurredAt} />
              </td>
              <td>{m.feature}</td>
              <td>
                {tenantName(m.tenantId) ?? <ShortId id={m.tenantId} />}{" "}
                <span className="muted">({m.region})</span>
              </td>
              <td>{m.telemetry.model ?? "—"}</td>
              <td className="num">{num(m.telemetry.latencyMs)}</td>
              <td className="num">
                {num(m.telemetry.tokensIn)} / {num(m.telemetry.tokensOut)}
              </td>
              <td className="num">{num(m.telemetry.feedback)}</td>
              <td>
                <Link
                  to="/review/interactions/$id"
                  params={{ id: m.id }}
                  aria-label={`Open interaction ${m.id}`}
                >
                  Open
                </Link>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <CursorPager label="Review queue" pages={pages} nextCursor={queue.data?.nextCursor} />
    </Section>
  );
}
