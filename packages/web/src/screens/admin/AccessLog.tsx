import { adminApi } from "../../api/endpoints.js";
import { useCursorPages, useLoad } from "../../hooks.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { ShortId, Time } from "../../ui/format.js";
import { Pager } from "../../ui/Pager.js";
import { Section } from "../../ui/Section.js";

const ACTIONS: Record<string, string> = {
  "interaction.read": "read an interaction",
  "interaction.label": "labelled an interaction",
  "dataset.add-items": "added interactions to a dataset",
  "dataset.export": "exported a dataset",
};

/** Access transparency: every staff access to this tenant's shared data, newest first. */
export function AccessLog() {
  const pages = useCursorPages();
  const log = useLoad(() => adminApi.accessLog(pages.cursor), `access-log:${pages.cursor ?? ""}`);
  const items = log.data?.items ?? [];
  return (
    <Section
      title="Access log"
      actions={
        <button type="button" onClick={log.reload} disabled={log.loading}>
          Refresh
        </button>
      }
    >
      <p className="muted small">
        Who at the vendor accessed your shared data, when and why. Customer approval (lockbox) does not apply,
        but every access is recorded here.
      </p>
      <ErrorNote error={log.error} />
      {!log.data && log.loading ? <Loading what="the access log" /> : null}
      {log.data && items.length === 0 ? (
        <p className="muted">No staff member has accessed your data.</p>
      ) : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="access-log">
            <caption className="sr-only">Staff accesses to shared data, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Why</th>
                <th scope="col">Grant</th>
                <th scope="col">Interactions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.eventId}>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>
                    {e.who}
                    {e.role ? <span className="muted"> ({e.role})</span> : null}
                  </td>
                  <td>{ACTIONS[e.action] ?? e.action}</td>
                  <td>
                    {e.reasonCode ? <strong>{e.reasonCode}</strong> : null}
                    {e.justification ? <span>: {e.justification}</span> : null}
                    {e.ticket ? <span className="muted"> · ticket {e.ticket}</span> : null}
                  </td>
                  <td>
                    <ShortId id={e.grantId} />
                    {e.grantEndsAt ? (
                      <div className="muted small">
                        ends <Time iso={e.grantEndsAt} />
                      </div>
                    ) : null}
                  </td>
                  <td>
                    {e.interactionIds.map((id) => (
                      <ShortId key={id} id={id} />
                    ))}
                    {e.datasetId ? (
                      <span>
                        dataset <ShortId id={e.datasetId} />
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        label="Access log"
        page={pages.page}
        hasNext={Boolean(log.data?.nextCursor)}
        onPrevious={pages.previous}
        onNext={() => log.data?.nextCursor && pages.next(log.data.nextCursor)}
      />
    </Section>
  );
}
