import { type NewUser, ROLES } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { opsApi } from "../../api/endpoints.js";
import { queries } from "../../api/queries.js";
import { DataTable } from "../../ui/DataTable.js";
import { TextField } from "../../ui/Field.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { Badge } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { LoadState, RefreshButton } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { UserActions } from "./UserActions.js";

/**
 * Users: create staff (operator, reviewer, approver), or invite a tenant admin of one tenant. A
 * tenant admin sets their own password through the invitation link: consent is the tenant's.
 */
async function createOrInvite(body: NewUser): Promise<{ email: string; note: string }> {
  if (body.roles.includes("tenant-admin")) {
    const created = await opsApi.invite({
      email: body.email,
      tenantId: body.tenantId ?? "",
      ...(body.name ? { name: body.name } : {}),
    });
    const link = `${window.location.origin}${created.acceptPath}`;
    return {
      email: created.invitation.email,
      note: `Invitation for ${created.invitation.email} made. Send them this one-time link (valid until ${new Date(created.invitation.expiresAt).toLocaleString()}); they choose their own password: ${link}`,
    };
  }
  const u = await opsApi.createUser(body);
  return {
    email: u.email,
    note: `User ${u.email} created (${u.roles.join(", ")}). Hand them the password by a safe channel.`,
  };
}
export function Users() {
  const users = useQuery(queries.users());
  const tenants = useQuery(queries.tenants());
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [roles, setRoles] = useState<string[]>(["reviewer"]);
  const [tenantId, setTenantId] = useState("");
  const create = useFormAction(createOrInvite);
  const needsTenant = roles.includes("tenant-admin");

  const toggle = (role: string, on: boolean) =>
    setRoles((r) => (on ? [...new Set([...r, role])] : r.filter((x) => x !== role)));

  const submit = create.submit(
    () => [
      {
        email: email.trim(),
        password: needsTenant ? "" : password,
        roles,
        ...(needsTenant && tenantId ? { tenantId } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      },
    ],
    (done) => {
      setEmail("");
      setName("");
      setPassword("");
      void users.refetch();
      return done.note;
    },
  );

  return (
    <div className="grid two">
      <Section title="Create a user">
        <form className="form" onSubmit={submit}>
          <TextField
            id="user-email"
            label="Email"
            type="email"
            required
            maxLength={254}
            autoComplete="off"
            value={email}
            onChange={setEmail}
          />
          <TextField
            id="user-name"
            label="Name"
            note="(optional)"
            maxLength={200}
            value={name}
            onChange={setName}
          />
          {needsTenant ? (
            <p className="muted small">
              A tenant admin is invited: they set their own password through a one-time link.
            </p>
          ) : (
            <TextField
              id="user-password"
              label="Initial password"
              type="password"
              required
              autoComplete="new-password"
              value={password}
              onChange={setPassword}
            />
          )}
          <fieldset>
            <legend>Roles</legend>
            {ROLES.map((r) => (
              <label key={r} className="check">
                <input
                  type="checkbox"
                  checked={roles.includes(r)}
                  onChange={(e) => toggle(r, e.target.checked)}
                />
                {r}
              </label>
            ))}
          </fieldset>
          {needsTenant ? (
            <>
              <label htmlFor="user-tenant">Tenant of the tenant admin</label>
              <select
                id="user-tenant"
                required
                value={tenantId}
                onChange={(e) => setTenantId(e.target.value)}
              >
                <option value="">Choose a tenant…</option>
                {tenants.data?.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.id})
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <FormFooter action={create} disabled={roles.length === 0}>
            {needsTenant ? "Invite tenant admin" : "Create user"}
          </FormFooter>
        </form>
      </Section>
      <Section title="Users" actions={<RefreshButton loaded={users} />}>
        <LoadState loaded={users} what="users" />
        <DataTable testId="users" columns={["Email", "Roles", "Tenant", "Created", "Actions"]}>
          {users.data?.map((u) => (
            <tr key={u.id}>
              <td>
                {u.email}
                {u.name ? <div className="muted small">{u.name}</div> : null}
                {u.disabled ? <Badge tone="off">disabled</Badge> : null}
                {u.mustChangePassword ? <Badge tone="warn">one-time password</Badge> : null}
              </td>
              <td>{u.roles.join(", ")}</td>
              <td>{u.tenantId ? <code>{u.tenantId}</code> : <span className="muted">staff</span>}</td>
              <td>
                <Time iso={u.createdAt} />
              </td>
              <td>
                <UserActions user={u} />
              </td>
            </tr>
          ))}
        </DataTable>
      </Section>
    </div>
  );
}
