import type { User } from "@assent/sdk/contract/staff";
import { type FormEvent, useId, useState } from "react";
import { sessionApi } from "../api/endpoints.js";
import { useAction } from "../hooks.js";
import { TextField } from "../ui/Field.js";
import { ErrorNote, Status } from "../ui/feedback.js";

export function SignIn({
  notice,
  onSignedIn,
}: {
  readonly notice: string | null;
  readonly onSignedIn: (user: User) => void;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useAction(sessionApi.signIn);
  const errorId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const session = await signIn.run(email.trim(), password);
    if (session) onSignedIn(session.user);
  };

  return (
    <main className="center" id="main">
      <form className="card narrow sign-in" onSubmit={(e) => void submit(e)} aria-describedby={errorId}>
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Sign in to Assent
        </h1>
        <p className="muted">Consent-gated data sharing for AI features.</p>
        <Status>{notice}</Status>
        <TextField
          id="sign-in-email"
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={setEmail}
        />
        <TextField
          id="sign-in-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
        />
        <button type="submit" className="primary" disabled={signIn.busy}>
          {signIn.busy ? "Signing in…" : "Sign in"}
        </button>
        <ErrorNote error={signIn.error} id={errorId} />
      </form>
    </main>
  );
}
