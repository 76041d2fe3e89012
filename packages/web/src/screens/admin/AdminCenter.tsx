import type { AdminSharing } from "@assent/sdk/contract/staff";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { keys, queries } from "../../api/queries.js";
import { useServerEvents } from "../../api/useServerEvents.js";
import { ErrorNote, Loading } from "../../ui/feedback.js";
import { AccessLog } from "./AccessLog.js";
import { Accounts } from "./Accounts.js";
import { DataHeld } from "./DataHeld.js";
import { DeletionPanel } from "./DeletionPanel.js";
import { EvidencePanel } from "./EvidencePanel.js";
import { NoticePanel } from "./NoticePanel.js";
import { ProgramFacts } from "./ProgramFacts.js";
import { SharingHistory } from "./SharingHistory.js";
import { SharingSetting } from "./SharingSetting.js";
import { ExcludedPeople } from "./scopes/ExcludedPeople.js";
import { ScopeHistory } from "./scopes/ScopeHistory.js";
import { Webhooks } from "./Webhooks.js";

/** The tenant admin's screen: the setting, what it means, its history, deletion and access. */
export function AdminCenter() {
  const sharing = useQuery(queries.sharing());
  const accounts = useQuery(queries.accounts());
  const client = useQueryClient();
  // A change by anyone (another admin, a vendor console's token) refreshes the screen at once.
  useServerEvents("/api/tenant/sharing/stream", "sharing", keys.tenant);
  // PUT /api/tenant/sharing and delete-now answer like GET: the cache takes the answer as it is.
  const setSharing = (s: AdminSharing) => client.setQueryData(queries.sharing().queryKey, s);
  if (!sharing.data) {
    return sharing.error ? <ErrorNote error={sharing.error} /> : <Loading what="the data-sharing setting" />;
  }
  const s: AdminSharing = sharing.data;
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Admin center</h1>
        <p className="muted">
          {s.tenant.name} · tenant <code>{s.tenant.id}</code> · home region <strong>{s.tenant.region}</strong>
        </p>
      </header>
      <NoticePanel />
      <div className="grid two">
        <div className="stack">
          <SharingSetting sharing={s} onChanged={setSharing} />
          <DeletionPanel sharing={s} onChanged={setSharing} />
        </div>
        <ProgramFacts program={s.program} />
      </div>
      <ExcludedPeople onChanged={() => void sharing.refetch()} />
      <DataHeld />
      <SharingHistory periods={s.periods} accounts={accounts.data?.accounts ?? []} />
      <ScopeHistory changes={s.scopeChanges ?? []} features={s.program.features ?? []} />
      {accounts.data ? <Accounts data={accounts.data} /> : <ErrorNote error={accounts.error} />}
      <AccessLog />
      <EvidencePanel />
      <Webhooks />
    </div>
  );
}
