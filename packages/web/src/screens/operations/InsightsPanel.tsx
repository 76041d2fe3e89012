import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { queries } from "../../api/queries.js";
import { INSIGHTS_FILTERS } from "../../search.js";
import { DataTable } from "../../ui/DataTable.js";
import { useFilters } from "../../ui/Filters.js";
import { localToIso, num, Time } from "../../ui/format.js";
import { LoadState } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { InsightsCharts } from "./InsightsCharts.js";
import { InsightsFilters } from "./InsightsFilters.js";

/** Aggregates per feature: volume, latency percentiles, tokens, feedback, ratings. No content. */
export function InsightsPanel() {
  const search = useSearch({ from: "/operations/insights" });
  const navigate = useNavigate({ from: "/operations/insights" });
  const { filters, apply, field } = useFilters("insights", INSIGHTS_FILTERS, search, (next) => {
    void navigate({ search: next });
  });
  const insights = useQuery(
    queries.insights({
      region: filters.region.trim(),
      tenant: filters.tenant.trim(),
      from: localToIso(filters.from),
      to: localToIso(filters.to),
    }),
  );
  const data = insights.data;
  return (
    <Section title="Insights per feature">
      <InsightsFilters field={field} onSubmit={apply} />
      <LoadState loaded={insights} what="insights" />
      {data ? (
        <p className="muted small">
          <Time iso={data.from} /> to <Time iso={data.to} /> · regions {data.regions.join(", ")}
        </p>
      ) : null}
      {data?.features.length === 0 ? <p className="muted">No interactions in this window.</p> : null}
      {data?.features.length ? <InsightsCharts data={data} /> : null}
      {data?.features.length ? (
        <DataTable
          testId="insights"
          columns={[
            "Feature",
            { label: "Interactions", num: true },
            { label: "Tenants", num: true },
            { label: "Latency p50 / p95 / p99 ms", num: true },
            { label: "Tokens in / out", num: true },
            { label: "Feedback + / − (avg)", num: true },
            { label: "Ratings (avg)", num: true },
          ]}
        >
          {data.features.map((f) => (
            <tr key={f.feature}>
              <th scope="row">{f.feature}</th>
              <td className="num">{num(f.interactions)}</td>
              <td className="num">{num(f.tenants)}</td>
              <td className="num">
                {num(f.latencyMs.p50)} / {num(f.latencyMs.p95)} / {num(f.latencyMs.p99)}
              </td>
              <td className="num">
                {num(f.tokens.in)} / {num(f.tokens.out)}
              </td>
              <td className="num">
                {num(f.feedback.positive)} / {num(f.feedback.negative)} ({num(f.feedback.average, 2)})
              </td>
              <td className="num">
                {num(f.ratings.labels)} ({num(f.ratings.average, 2)})
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Section>
  );
}
