import { Link } from "../../router.js";
import { AuditLog } from "./AuditLog.js";
import { InsightsPanel } from "./InsightsPanel.js";
import { ServiceKeys } from "./ServiceKeys.js";
import { Tenants } from "./Tenants.js";
import { Users } from "./Users.js";

const TABS = [
  { id: "tenants", title: "Tenants & keys" },
  { id: "service-keys", title: "Service keys" },
  { id: "users", title: "Users" },
  { id: "insights", title: "Insights" },
  { id: "audit", title: "Audit log" },
] as const;

/** The operator's screen: tenants and ingestion keys, users, aggregates per feature, the audit log. */
export function Operations({ tab }: { readonly tab: string }) {
  const current = TABS.find((t) => t.id === tab) ?? TABS[0];
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Operations</h1>
        <p className="muted">
          Operators see aggregates and the audit log; reading content needs a grant like anyone else.
        </p>
      </header>
      <nav className="tabs" aria-label="Operations sections">
        <ul>
          {TABS.map((t) => (
            <li key={t.id}>
              <Link to={`/operations/${t.id}`} aria-current={current.id === t.id ? "page" : undefined}>
                {t.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current.id === "tenants" ? <Tenants /> : null}
      {current.id === "service-keys" ? <ServiceKeys /> : null}
      {current.id === "users" ? <Users /> : null}
      {current.id === "insights" ? <InsightsPanel /> : null}
      {current.id === "audit" ? <AuditLog /> : null}
    </div>
  );
}
