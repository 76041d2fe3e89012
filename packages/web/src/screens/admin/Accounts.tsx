import type { TenantAccount, TenantAccounts } from "@assent/sdk/contract/staff";
import { DataTable } from "../../ui/DataTable.js";
import { Badge } from "../../ui/feedback.js";
import { Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";

/** How an account came to be, in words (also used by the sharing history). */
export function originOf(a: TenantAccount) {
  if (a.origin === "invitation" && a.invitation) {
    return (
      <>
        invited by {a.createdBy ?? "an operator"} on <Time iso={a.invitation.invitedAt} />, accepted{" "}
        <Time iso={a.invitation.acceptedAt} />
      </>
    );
  }
  return <>created directly by {a.createdBy ?? "an older version of Assent"}, with a password they chose</>;
}

/**
 * Every account with admin rights over this tenant: who created it, when, and how it came to be.
 * Anyone of these can switch sharing on; an account the tenant does not recognise is a warning.
 */
export function Accounts({ data }: { readonly data: TenantAccounts }) {
  const pending = data.invitations.filter((i) => i.acceptedAt === null);
  return (
    <Section title="Accounts with admin rights">
      <DataTable
        testId="tenant-accounts"
        caption="Accounts with admin rights over this tenant"
        columns={["Account", "Created", "How it came to be", "State"]}
      >
        {data.accounts.map((a) => (
          <tr key={a.id}>
            <td>{a.name ? `${a.name} <${a.email}>` : a.email}</td>
            <td>
              <Time iso={a.createdAt} />
            </td>
            <td>{originOf(a)}</td>
            <td>{a.disabled ? <Badge tone="warn">disabled</Badge> : <Badge tone="on">active</Badge>}</td>
          </tr>
        ))}
      </DataTable>
      {pending.length > 0 ? (
        <p className="muted small">
          Open invitations:{" "}
          {pending
            .map((i) => `${i.email} (by ${i.invitedBy}, until ${new Date(i.expiresAt).toLocaleString()})`)
            .join("; ")}
        </p>
      ) : null}
    </Section>
  );
}
