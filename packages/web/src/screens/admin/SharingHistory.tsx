import type { SharingPeriod, SharingVia, TenantAccount } from "@assent/sdk/contract/staff";
import { Badge } from "../../ui/feedback.js";
import { ShortId, Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";
import { originOf } from "./Accounts.js";
import { Receipt } from "./Receipt.js";

function periodState(p: SharingPeriod) {
  if (p.optedOutAt === null) return <Badge tone="on">sharing</Badge>;
  if (p.deletedAt !== null) return <Badge tone="done">deleted</Badge>;
  return <Badge tone="warn">awaiting deletion</Badge>;
}

/** "jane@contoso.com via token 'Contoso admin console'": the person, and the vendor console's token. */
function who(by: string | null, via: SharingVia | null | undefined) {
  if (!by) return "—";
  if (!via) return by;
  const person = via.actorName ? `${via.actorName} (${by})` : by;
  return `${person} via token '${via.tokenName}'`;
}

/** Every sharing period, newest first: who turned sharing on and off, when, and what was deleted. */
export function SharingHistory({
  periods,
  accounts = [],
}: {
  readonly periods: readonly SharingPeriod[];
  /** The tenant's admin accounts, to say how the account that turned sharing on came to be. */
  readonly accounts?: readonly TenantAccount[];
}) {
  const how = (by: string) => {
    const a = accounts.find((x) => x.email === by);
    return a ? <span className="muted small"> ({originOf(a)})</span> : null;
  };
  const sorted = [...periods].sort((a, b) => b.optedInAt.localeCompare(a.optedInAt));
  return (
    <Section title="History of the setting">
      {sorted.length === 0 ? (
        <p className="muted">Sharing has never been on: nothing was ever captured.</p>
      ) : (
        <ol className="periods" aria-label="Sharing periods, newest first">
          {sorted.map((p) => (
            <li key={p.id} className="period" data-testid="period">
              <div className="period-head">
                {periodState(p)}{" "}
                <span className="muted small">
                  period <ShortId id={p.id} />
                </span>
              </div>
              <dl className="period-facts">
                <div>
                  <dt>Turned on</dt>
                  <dd>
                    <Time iso={p.optedInAt} /> by {who(p.optedInBy, p.optedInVia)}
                    {p.optedInVia ? null : how(p.optedInBy)}
                  </dd>
                </div>
                <div>
                  <dt>Turned off</dt>
                  <dd>
                    {p.optedOutAt ? (
                      <>
                        <Time iso={p.optedOutAt} /> by {who(p.optedOutBy, p.optedOutVia)}
                      </>
                    ) : (
                      <span className="muted">still on</span>
                    )}
                  </dd>
                </div>
                <div>
                  <dt>Delete by</dt>
                  <dd>
                    <Time iso={p.deleteBy} />
                  </dd>
                </div>
                <div>
                  <dt>Deleted at</dt>
                  <dd>
                    <Time iso={p.deletedAt} />
                  </dd>
                </div>
              </dl>
              {p.receipt ? <Receipt receipt={p.receipt} /> : null}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
