import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { screensFor } from "../screens.js";
import { useSession } from "../session.js";

export function Layout({ children }: { readonly children: ReactNode }) {
  const { user, signOut } = useSession();
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
