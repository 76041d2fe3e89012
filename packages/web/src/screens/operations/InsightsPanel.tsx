import { type FormEvent, useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { useLoad } from "../../hooks.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { localToIso, num, Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";

interface Filters {
  region: string;
  tenant: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { region: "", tenant: "", from: "", to: "" };

/** Aggregates per feature: volume, latency percentiles, tokens, feedback, ratings. No content. */
export function InsightsPanel() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const insights = useLoad(
    () =>
      opsApi.insights({
        region: filters.region.trim(),
        tenant: filters.tenant.trim(),
        from: localToIso(filters.from),
        to: localToIso(filters.to),
      }),
    JSON.stringify(filters),
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const field = (name: keyof Filters) => ({
    id: `insights-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const data = insights.data;
  return (
    <Section title="Insights per feature">
      <form className="filters" onSubmit={apply} aria-label="Filter the insights">
        <div>
          <label htmlFor="insights-region">Region</label>
          <input {...field("region")} maxLength={32} />
        </div>
        <div>
          <label htmlFor="insights-tenant">Tenant</label>
          <input {...field("tenant")} maxLength={64} />
        </div>
        <div>
          <label htmlFor="insights-from">From</label>
          <input {...field("from")} type="datetime-local" />
        </div>
        <div>
          <label htmlFor="insights-to">To</label>
          <input {...field("to")} type="datetime-local" />
        </div>
        <div className="filters-go">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      <ErrorNote error={insights.error} />
      {!data && insights.loading ? <Loading what="insights" /> : null}
      {data ? (
        <p className="muted small">
          <Time iso={data.from} /> to <Time iso={data.to} /> · regions {data.regions.join(", ")}
        </p>
      ) : null}
      {data?.features.length === 0 ? <p className="muted">No interactions in this window.</p> : null}
      {data?.features.length ? (
        <div className="table-wrap">
          <table data-testid="insights">
            <thead>
              <tr>
                <th scope="col">Feature</th>
                <th scope="col" className="num">
                  Interactions
                </th>
                <th scope="col" className="num">
                  Tenants
                </th>
                <th scope="col" className="num">
                  Latency p50 / p95 / p99 ms
                </th>
                <th scope="col" className="num">
                  Tokens in / out
                </th>
                <th scope="col" className="num">
                  Feedback + / − (avg)
                </th>
                <th scope="col" className="num">
                  Ratings (avg)
                </th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      ) : null}
    </Section>
  );
}
