import type { ReactNode } from "react";
import { Link, usePath } from "../router.js";
import { screenOf, screensFor } from "../screens.js";
import { useSession } from "../session.js";

export function Layout({ children }: { readonly children: ReactNode }) {
  const { user, signOut } = useSession();
  const path = usePath();
  const current = screenOf(path);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" /> Assent
        </Link>
        <nav aria-label="Screens">
          <ul>
            {screensFor(user.roles).map((s) => (
              <li key={s.path}>
                <Link to={s.path} aria-current={current?.path === s.path ? "page" : undefined}>
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
