import type { AccessRequest, AccessRequestList } from "@assent/sdk/contract/staff";
import type { ReactNode } from "react";
import type { Loaded } from "../../hooks.js";
import { LoadState } from "../../ui/Loaded.js";

/** A loaded page of access requests as a list; `children` renders one request (with its key). */
export function RequestList({
  requests,
  what,
  empty,
  children,
}: {
  readonly requests: Pick<Loaded<AccessRequestList>, "data" | "error" | "isPending">;
  readonly what: string;
  readonly empty: string;
  readonly children: (request: AccessRequest) => ReactNode;
}) {
  const items = requests.data?.items ?? [];
  return (
    <>
      <LoadState loaded={requests} what={what} isEmpty={items.length === 0} empty={empty} />
      <ul className="request-list">{items.map(children)}</ul>
    </>
  );
}
