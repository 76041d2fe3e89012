import { adminApi } from "../../api/endpoints.js";
import type { ScopedSharing } from "../../api/scopes.js";
import { useLoad } from "../../hooks.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { AccessLog } from "./AccessLog.js";
import { Accounts } from "./Accounts.js";
import { DeletionPanel } from "./DeletionPanel.js";
import { ProgramFacts } from "./ProgramFacts.js";
import { SharingHistory } from "./SharingHistory.js";
import { SharingSetting } from "./SharingSetting.js";
import { ExcludedPeople } from "./scopes/ExcludedPeople.js";
import { ScopeHistory } from "./scopes/ScopeHistory.js";

/** The tenant admin's screen: the setting, what it means, its history, deletion and access. */
export function AdminCenter() {
  const sharing = useLoad(adminApi.sharing, "sharing");
  const accounts = useLoad(adminApi.accounts, "accounts");
  if (!sharing.data) {
    return sharing.error ? <ErrorNote error={sharing.error} /> : <Loading what="the data-sharing setting" />;
  }
  const s: ScopedSharing = sharing.data;
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Admin center</h1>
        <p className="muted">
          {s.tenant.name} · tenant <code>{s.tenant.id}</code> · home region <strong>{s.tenant.region}</strong>
        </p>
      </header>
      <div className="grid two">
        <div className="stack">
          <SharingSetting sharing={s} onChanged={sharing.set} />
          <DeletionPanel sharing={s} onChanged={sharing.set} />
        </div>
        <ProgramFacts program={s.program} />
      </div>
      <ExcludedPeople onChanged={sharing.reload} />
      <SharingHistory periods={s.periods} accounts={accounts.data?.accounts ?? []} />
      <ScopeHistory changes={s.scopeChanges ?? []} features={s.program.features ?? []} />
      {accounts.data ? <Accounts data={accounts.data} /> : <ErrorNote error={accounts.error} />}
      <AccessLog />
    </div>
  );
}
