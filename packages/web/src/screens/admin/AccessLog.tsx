import { useQuery } from "@tanstack/react-query";
import { queries } from "../../api/queries.js";
import { useCursorPages } from "../../hooks.js";
import { DataTable } from "../../ui/DataTable.js";
import { ShortId, Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { CursorPager } from "../../ui/Pager.js";
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
  const log = useQuery(queries.accessLog(pages.cursor));
  const items = log.data?.items ?? [];
  return (
    <Section title="Access log" actions={<RefreshButton loaded={log} />}>
      <p className="muted small">
        Who at the vendor accessed your shared data, when and why. Customer approval (lockbox) does not apply,
        but every access is recorded here.
      </p>
      <LoadState
        loaded={log}
        what="the access log"
        isEmpty={items.length === 0}
        empty="No staff member has accessed your data."
      />
      {items.length > 0 ? (
        <DataTable
          testId="access-log"
          caption="Staff accesses to shared data, newest first"
          columns={["When", "Who", "What", "Why", "Grant", "Interactions"]}
        >
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
                  <div className="small">
                    dataset <ShortId id={e.datasetId} />
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <CursorPager label="Access log" pages={pages} nextCursor={log.data?.nextCursor} />
    </Section>
  );
}
