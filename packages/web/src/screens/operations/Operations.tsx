import { Link, Outlet } from "@tanstack/react-router";

const TABS = [
  { to: "/operations/tenants", title: "Tenants & keys" },
  { to: "/operations/service-keys", title: "Service keys" },
  { to: "/operations/features", title: "Features" },
  { to: "/operations/users", title: "Users" },
  { to: "/operations/tokens", title: "API tokens" },
  { to: "/operations/insights", title: "Insights" },
  { to: "/operations/audit", title: "Audit log" },
] as const;

/** The operator's screen: tenants and ingestion keys, users, API tokens, aggregates per feature, the audit log. */
export function Operations() {
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
            <li key={t.to}>
              {/* The router marks the current tab with aria-current="page". */}
              <Link to={t.to}>{t.title}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
