import { accessApi } from "../../api/endpoints.js";
import { useLoad } from "../../hooks.js";
import { MyRequests } from "./MyRequests.js";
import { RequestAccessForm } from "./RequestAccessForm.js";
import { ReviewQueue } from "./ReviewQueue.js";

/** The reviewer's screen: ask for access, follow the requests, work the queue. */
export function Workbench() {
  const requests = useLoad(() => accessApi.list({ limit: 50 }), "my-requests");
  const active = (requests.data?.items ?? []).filter((r) => r.grant?.status === "active");
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Reviewer workbench</h1>
        <p className="muted">
          Reading shared content needs elevated access approved by another staff member, limited in time.
          Every read is recorded and shown to the tenant.
        </p>
      </header>
      <div className="grid two">
        <RequestAccessForm onCreated={requests.reload} />
        <MyRequests requests={requests} />
      </div>
      <ReviewQueue activeGrants={active.length} grantsKnown={requests.data !== null} />
    </div>
  );
}
