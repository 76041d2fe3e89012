import type { User } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { PENDING, queries } from "../api/queries.js";
import { screensFor } from "../screens.js";
import { hasRole, useSession } from "../session.js";

/**
 * How many requests wait for this approver's decision (their own never do), kept fresh by the
 * same polling query the Approvals screen shows: null for those who approve nothing.
 */
function usePendingCount(user: User): number | null {
  const approver = hasRole(user, "approver");
  const pending = useQuery({ ...queries.accessRequests(PENDING), enabled: approver });
  if (!approver || !pending.data) return null;
  return pending.data.items.filter((r) => r.requester.id !== user.id).length;
}

export function Layout({ children }: { readonly children: ReactNode }) {
  const { user, signOut } = useSession();
  const pendingCount = usePendingCount(user);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand" activeProps={{}} activeOptions={{ exact: true }}>
          <span className="brand-mark" aria-hidden="true" /> Assent
        </Link>
        <nav aria-label="Screens">
          <ul>
            {screensFor(user.roles).map((s) => (
              <li key={s.path}>
                <Link to={s.path} activeProps={{}}>
                  {s.title}
                  {s.path === "/approvals" && pendingCount ? (
                    <span className="nav-count" data-testid="pending-count">
                      {pendingCount}
                      <span className="sr-only"> pending</span>
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={user.roles.join(", ")}>
            {user.email}
            <span className="muted"> · {user.roles.join(", ")}</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
