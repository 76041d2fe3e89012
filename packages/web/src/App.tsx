import type { User } from "@assent/sdk/contract/staff";
import { useQueryClient } from "@tanstack/react-query";
import { Outlet, useLocation, useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useState } from "react";
import { onSessionEvent } from "./api/client.js";
import { sessionApi } from "./api/endpoints.js";
import { asApiError } from "./hooks.js";
import { AcceptInvitation } from "./screens/AcceptInvitation.js";
import { ChangePassword } from "./screens/ChangePassword.js";
import { Layout } from "./screens/Layout.js";
import { SignIn } from "./screens/SignIn.js";
import { SessionContext, type SessionContextValue } from "./session.js";

type State =
  | { kind: "loading" }
  | { kind: "signed-out"; notice: string | null }
  | { kind: "unreachable"; message: string }
  | { kind: "signed-in"; user: User };

/** The root route: the session gate, then the layout around the matched screen. */
export function App() {
  const [state, setState] = useState<State>({ kind: "loading" });
  const path = useLocation({ select: (l) => l.pathname });
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const refresh = useCallback(async () => {
    try {
      const { user } = await sessionApi.current();
      setState({ kind: "signed-in", user });
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 401) setState({ kind: "signed-out", notice: null });
      else setState({ kind: "unreachable", message: e.message });
    }
  }, []);

  useEffect(() => {
    void refresh();
    onSessionEvent((event) => {
      if (event === "expired") {
        queryClient.clear();
        setState({ kind: "signed-out", notice: "Your session has ended. Sign in again to continue." });
      } else {
        void refresh();
      }
    });
    return () => onSessionEvent(null);
  }, [refresh, queryClient]);

  const signOut = useCallback(async () => {
    try {
      await sessionApi.signOut();
    } finally {
      // Nothing one account loaded is shown to the next one signing in here.
      queryClient.clear();
      setState({ kind: "signed-out", notice: "You are signed out." });
      void navigate({ to: "/", replace: true });
    }
  }, [queryClient, navigate]);

  const session = useMemo<SessionContextValue | null>(
    () => (state.kind === "signed-in" ? { user: state.user, refresh, signOut } : null),
    [state, refresh, signOut],
  );

  if (state.kind === "loading") {
    return (
      <main className="center" id="main">
        <p className="muted">Loading…</p>
      </main>
    );
  }
  if (state.kind === "unreachable") {
    return (
      <main className="center" id="main">
        <div className="card narrow">
          <h1>Assent is not answering</h1>
          <p role="alert">{state.message}</p>
          <button type="button" className="primary" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (path === "/accept-invitation") {
    return <AcceptInvitation onSignedIn={(user) => setState({ kind: "signed-in", user })} />;
  }
  if (state.kind === "signed-out" || !session) {
    return (
      <SignIn
        notice={state.kind === "signed-out" ? state.notice : null}
        onSignedIn={(user) => setState({ kind: "signed-in", user })}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      {session.user.mustChangePassword ? (
        <ChangePassword />
      ) : (
        <Layout>
          <Outlet />
        </Layout>
      )}
    </SessionContext.Provider>
  );
}
