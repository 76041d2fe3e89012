import { type FormEvent, useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { useCursorPages, useLoad } from "../../hooks.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { localToIso, ShortId, Time } from "../../ui/format.js";
import { Pager } from "../../ui/Pager.js";
import { Section } from "../../ui/Section.js";

interface Filters {
  chain: string;
  tenant: string;
  action: string;
  actor: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { chain: "control", tenant: "", action: "", actor: "", from: "", to: "" };

/** The hash-chained audit log, one chain at a time (control or region-<name>), newest first. */
export function AuditLog() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const pages = useCursorPages();
  const audit = useLoad(
    () =>
      opsApi.audit({
        chain: filters.chain.trim() || "control",
        tenant: filters.tenant.trim(),
        action: filters.action.trim(),
        actor: filters.actor.trim(),
        from: localToIso(filters.from),
        to: localToIso(filters.to),
        cursor: pages.cursor,
        limit: 50,
      }),
    JSON.stringify([filters, pages.cursor]),
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    pages.reset();
  };
  const field = (name: keyof Filters) => ({
    id: `audit-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const items = audit.data?.items ?? [];
  return (
    <Section
      title="Audit log"
      actions={
        <button type="button" onClick={audit.reload} disabled={audit.loading}>
          Refresh
        </button>
      }
    >
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <div>
          <label htmlFor="audit-chain">Chain</label>
          <input {...field("chain")} list="audit-chains" maxLength={64} />
          <datalist id="audit-chains">
            <option value="control" />
            <option value="region-eu" />
            <option value="region-us" />
          </datalist>
        </div>
        <div>
          <label htmlFor="audit-tenant">Tenant</label>
          <input {...field("tenant")} maxLength={64} />
        </div>
        <div>
          <label htmlFor="audit-action">Action</label>
          <input {...field("action")} maxLength={64} placeholder="interaction.read" />
        </div>
        <div>
          <label htmlFor="audit-actor">Actor id</label>
          <input {...field("actor")} maxLength={64} />
        </div>
        <div>
          <label htmlFor="audit-from">From</label>
          <input {...field("from")} type="datetime-local" />
        </div>
        <div>
          <label htmlFor="audit-to">To</label>
          <input {...field("to")} type="datetime-local" />
        </div>
        <div className="filters-go">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      <ErrorNote error={audit.error} />
      {!audit.data && audit.loading ? <Loading what="the audit log" /> : null}
      {audit.data && items.length === 0 ? <p className="muted">No event matches.</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="audit">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Tenant</th>
                <th scope="col">Target</th>
                <th scope="col">Grant / reason</th>
                <th scope="col">Details</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        label="Audit log"
        page={pages.page}
        hasNext={Boolean(audit.data?.nextCursor)}
        onPrevious={pages.previous}
        onNext={() => audit.data?.nextCursor && pages.next(audit.data.nextCursor)}
      />
    </Section>
  );
}
