import { type FormEvent, useState } from "react";
import type { Query } from "../../api/client.js";
import { reviewApi } from "../../api/endpoints.js";
import { useCursorPages, useLoad } from "../../hooks.js";
import { Link } from "../../router.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { localToIso, num, Time } from "../../ui/format.js";
import { Pager } from "../../ui/Pager.js";
import { Section } from "../../ui/Section.js";

interface Filters {
  tenant: string;
  region: string;
  feature: string;
  from: string;
  to: string;
  limit: string;
}

const EMPTY: Filters = { tenant: "", region: "", feature: "", from: "", to: "", limit: "25" };

const toQuery = (f: Filters, cursor: string | null): Query => ({
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
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const pages = useCursorPages();
  const key = JSON.stringify([filters, pages.cursor, activeGrants]);
  const queue = useLoad(() => reviewApi.queue(toQuery(filters, pages.cursor)), key);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    pages.reset();
  };
  const field = (name: keyof Filters) => ({
    id: `queue-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const items = queue.data?.items ?? [];

  return (
    <Section
      title="Review queue"
      actions={
        <button type="button" onClick={queue.reload} disabled={queue.loading}>
          Refresh
        </button>
      }
    >
      {grantsKnown && activeGrants === 0 ? (
        <p className="notice">
          You hold no active grant: request access and wait for an approver to see the queue.
        </p>
      ) : null}
      <form className="filters" onSubmit={apply} aria-label="Filter the queue">
        <div>
          <label htmlFor="queue-tenant">Tenant</label>
          <input {...field("tenant")} maxLength={64} />
        </div>
        <div>
          <label htmlFor="queue-region">Region</label>
          <input {...field("region")} maxLength={32} />
        </div>
        <div>
          <label htmlFor="queue-feature">Feature</label>
          <input {...field("feature")} maxLength={128} placeholder="sales.email-draft" />
        </div>
        <div>
          <label htmlFor="queue-from">From</label>
          <input {...field("from")} type="datetime-local" />
        </div>
        <div>
          <label htmlFor="queue-to">To</label>
          <input {...field("to")} type="datetime-local" />
        </div>
        <div>
          <label htmlFor="queue-limit">Per page</label>
          <select {...field("limit")}>
            {["10", "25", "50", "100"].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </div>
        <div className="filters-go">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      <ErrorNote error={queue.error} />
      {!queue.data && queue.loading ? <Loading what="the queue" /> : null}
      {queue.data && items.length === 0 ? <p className="muted">No interactions match.</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="queue">
            <caption className="sr-only">
              Interactions your grants cover, newest first (metadata only)
            </caption>
            <thead>
              <tr>
                <th scope="col">Occurred</th>
                <th scope="col">Feature</th>
                <th scope="col">Tenant</th>
                <th scope="col">Model</th>
                <th scope="col" className="num">
                  Latency ms
                </th>
                <th scope="col" className="num">
                  Tokens in/out
                </th>
                <th scope="col" className="num">
                  Feedback
                </th>
                <th scope="col">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Time iso={m.occurredAt} />
                  </td>
                  <td>{m.feature}</td>
                  <td>
                    <code>{m.tenantId}</code> <span className="muted">({m.region})</span>
                  </td>
                  <td>{m.telemetry.model ?? "—"}</td>
                  <td className="num">{num(m.telemetry.latencyMs)}</td>
                  <td className="num">
                    {num(m.telemetry.tokensIn)} / {num(m.telemetry.tokensOut)}
                  </td>
                  <td className="num">{num(m.telemetry.feedback)}</td>
                  <td>
                    <Link
                      to={`/review/interactions/${encodeURIComponent(m.id)}`}
                      aria-label={`Open interaction ${m.id}`}
                    >
                      Open
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        label="Review queue"
        page={pages.page}
        hasNext={Boolean(queue.data?.nextCursor)}
        onPrevious={pages.previous}
        onNext={() => queue.data?.nextCursor && pages.next(queue.data.nextCursor)}
      />
    </Section>
  );
}
