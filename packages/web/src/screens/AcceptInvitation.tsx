import type { User } from "@assent/sdk/contract/staff";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useId, useState } from "react";
import { sessionApi } from "../api/endpoints.js";
import { useAction } from "../hooks.js";
import { TextField } from "../ui/Field.js";
import { ErrorNote } from "../ui/feedback.js";

/** The token travels in the link's fragment, which browsers never send to a server. */
const tokenFromHash = () => new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token") ?? "";

/**
 * Where an invited tenant admin sets their own password: the operator who invited them never
 * knows it, so only the tenant can give consent (issue 16).
 */
export function AcceptInvitation({ onSignedIn }: { readonly onSignedIn: (user: User) => void }) {
  const [token] = useState(tokenFromHash);
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const accept = useAction(sessionApi.acceptInvitation);
  const navigate = useNavigate();
  const errorId = useId();
  const mismatch = again.length > 0 && again !== password;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    const session = await accept.run(token, password);
    if (session) {
      void navigate({ to: "/", replace: true });
      onSignedIn(session.user);
    }
  };

  return (
    <main className="center" id="main">
      <form className="card narrow sign-in" onSubmit={(e) => void submit(e)} aria-describedby={errorId}>
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Accept your invitation
        </h1>
        {token ? (
          <p className="muted">
            Choose the password for your tenant admin account. Only you will know it: the person who invited
            you cannot see or set it. The link works once.
          </p>
        ) : (
          <p role="alert">This link has no invitation token. Open the full link you were sent.</p>
        )}
        <TextField
          id="invite-password"
          label="Password"
          note="(at least 12 characters)"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={setPassword}
        />
        <TextField
          id="invite-password-again"
          label="Password again"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={setAgain}
        />
        {mismatch ? <p role="alert">The two passwords differ.</p> : null}
        <button type="submit" className="primary" disabled={accept.busy || !token || mismatch}>
          {accept.busy ? "Setting your password…" : "Set password and sign in"}
        </button>
        <ErrorNote error={accept.error} id={errorId} />
      </form>
    </main>
  );
}
