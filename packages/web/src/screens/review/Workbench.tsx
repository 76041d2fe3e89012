import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { queries } from "../../api/queries.js";
import { MyRequests } from "./MyRequests.js";
import { Queues } from "./Queues.js";
import { RequestAccessForm } from "./RequestAccessForm.js";
import { ReviewQueue } from "./ReviewQueue.js";

/** The reviewer's screen: ask for access, follow the requests, work the queue. */
export function Workbench() {
  const requests = useQuery(queries.accessRequests({ limit: 50 }));
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
        <RequestAccessForm />
        <MyRequests requests={requests} />
      </div>
      <Queues activeGrants={active.length} />
      <p>
        <Link to="/review/datasets">Datasets: make one from a filter or a selection, export it</Link>
      </p>
      <ReviewQueue activeGrants={active.length} grantsKnown={requests.data !== undefined} />
    </div>
  );
}
