import type { User } from "@assent/sdk/contract/staff";
import { STAFF_ROLES } from "@assent/sdk/contract/staff";
import { useState } from "react";
import { keys } from "../../api/queries.js";
import { workApi } from "../../api/work.js";
import { useAction } from "../../hooks.js";
import { useConfirm } from "../../ui/confirm.js";
import { ErrorNote, Status } from "../../ui/feedback.js";
import { SecretOnce } from "../../ui/SecretOnce.js";

/**
 * An operator's actions on one user: disable (their sessions end at once) or enable, change a
 * staff member's roles, reset a password to a one-time one. The server keeps the last operator.
 */
export function UserActions({ user }: { readonly user: User }) {
  const invalidates = [[...keys.ops, "users"]] as const;
  const set = useAction(workApi.setUser, { invalidates });
  const reset = useAction(workApi.resetPassword, { invalidates });
  const [confirm, dialog] = useConfirm();
  const [editing, setEditing] = useState(false);
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [password, setPassword] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const who = user.name ? `${user.name} (${user.email})` : user.email;
  const staff = user.tenantId === null;

  const toggleDisabled = async () => {
    if (!user.disabled) {
      const ok = await confirm({
        title: `Disable ${who}?`,
        body: "Their open sessions end at once and they cannot sign in until enabled again.",
        confirmLabel: "Disable",
        danger: true,
      });
      if (!ok) return;
    }
    const done = await set.run(user.id, { disabled: !user.disabled });
    if (done) setStatus(done.disabled ? `${user.email} is disabled.` : `${user.email} is enabled.`);
  };
  const saveRoles = async () => {
    const done = await set.run(user.id, { roles });
    if (done) {
      setEditing(false);
      setStatus(`${user.email} now holds: ${done.roles.join(", ")}.`);
    }
  };
  const resetPassword = async () => {
    const ok = await confirm({
      title: `Reset the password of ${who}?`,
      body: "Their sessions end; they sign in with the one-time password shown next and must choose their own.",
      confirmLabel: "Reset password",
      danger: true,
    });
    if (!ok) return;
    const done = await reset.run(user.id);
    if (done) setPassword(done.password);
  };

  return (
    <div className="user-actions">
      <div className="actions">
        <button
          type="button"
          onClick={() => void toggleDisabled()}
          disabled={set.busy}
          aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
        >
          {user.disabled ? "Enable" : "Disable"}
        </button>
        {staff ? (
          <>
            <button
              type="button"
              onClick={() => setEditing((e) => !e)}
              aria-expanded={editing}
              aria-label={`Roles of ${user.email}`}
            >
              Roles
            </button>
            <button
              type="button"
              onClick={() => void resetPassword()}
              disabled={reset.busy}
              aria-label={`Reset password of ${user.email}`}
            >
              Reset password
            </button>
          </>
        ) : null}
      </div>
      {editing ? (
        <fieldset>
          <legend>Roles of {user.email}</legend>
          {STAFF_ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) =>
                  setRoles((rs) => (e.target.checked ? [...new Set([...rs, r])] : rs.filter((x) => x !== r)))
                }
              />
              {r}
            </label>
          ))}
          <button
            type="button"
            className="primary"
            onClick={() => void saveRoles()}
            disabled={set.busy || roles.length === 0}
          >
            Save roles
          </button>
        </fieldset>
      ) : null}
      {password ? (
        <SecretOnce
          what="one-time password"
          label={`The one-time password of ${user.email}`}
          secret={password}
          testId="reset-password"
          onDone={() => setPassword(null)}
        />
      ) : null}
      <ErrorNote error={set.error ?? reset.error} />
      <Status>{status}</Status>
      {dialog}
    </div>
  );
}
