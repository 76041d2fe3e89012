import type { ReactNode } from "react";
import type { Loaded } from "../hooks.js";
import { ErrorNote, Loading } from "./feedback.js";

type Refetchable = Pick<Loaded<unknown>, "refetch" | "isFetching">;

/** The Refresh button of a loaded list (lists also refresh by themselves): disabled while it loads. */
export function RefreshButton({ loaded }: { readonly loaded: Refetchable | readonly Refetchable[] }) {
  const all: readonly Refetchable[] = Array.isArray(loaded) ? loaded : [loaded as Refetchable];
  return (
    <button
      type="button"
      onClick={() => {
        for (const l of all) void l.refetch();
      }}
      disabled={all.some((l) => l.isFetching)}
    >
      Refresh
    </button>
  );
}

/** A load's error, "Loading …" before the first answer, and `empty` when the answer has nothing. */
export function LoadState({
  loaded,
  what,
  isEmpty,
  empty,
}: {
  readonly loaded: Pick<Loaded<unknown>, "data" | "error" | "isPending">;
  readonly what: string;
  readonly isEmpty?: boolean;
  readonly empty?: ReactNode;
}) {
  return (
    <>
      <ErrorNote error={loaded.error} />
      {loaded.isPending && !loaded.error ? <Loading what={what} /> : null}
      {loaded.data && isEmpty && empty ? <p className="muted">{empty}</p> : null}
    </>
  );
}
