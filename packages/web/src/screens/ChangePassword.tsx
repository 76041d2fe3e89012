import { type FormEvent, useState } from "react";
import { ApiError } from "../api/client.js";
import { sessionApi } from "../api/endpoints.js";
import { useAction } from "../hooks.js";
import { useSession } from "../session.js";
import { TextField } from "../ui/Field.js";
import { ErrorNote } from "../ui/feedback.js";

/** The one-time password a new account got must be replaced before anything else. */
export function ChangePassword() {
  const { user, refresh, signOut } = useSession();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const change = useAction(async () => {
    if (next !== again)
      throw new ApiError(0, "mismatch", "the two new passwords differ; type the same one twice");
    await sessionApi.changePassword(current, next);
    await refresh();
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void change.run();
  };

  return (
    <main className="center" id="main">
      <form className="card narrow" onSubmit={submit}>
        <h1>Choose your password</h1>
        <p>
          <strong>{user.email}</strong> signed in with a one-time password. Choose your own before you go on.
        </p>
        <TextField
          id="pw-current"
          label="One-time (current) password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={setCurrent}
        />
        <TextField
          id="pw-new"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={setNext}
        />
        <TextField
          id="pw-again"
          label="New password again"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={setAgain}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={change.busy}>
            Change password
          </button>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
        <ErrorNote error={change.error} />
      </form>
    </main>
  );
}
