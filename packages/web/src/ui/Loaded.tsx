import type { ReactNode } from "react";
import type { Loaded } from "../hooks.js";
import { ErrorNote, Loading } from "./feedback.js";

/** The Refresh button of a loaded list: disabled while it loads. */
export function RefreshButton({ loaded }: { readonly loaded: Pick<Loaded<unknown>, "reload" | "loading"> }) {
  return (
    <button type="button" onClick={loaded.reload} disabled={loaded.loading}>
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
  readonly loaded: Pick<Loaded<unknown>, "data" | "error" | "loading">;
  readonly what: string;
  readonly isEmpty?: boolean;
  readonly empty?: ReactNode;
}) {
  return (
    <>
      <ErrorNote error={loaded.error} />
      {!loaded.data && loaded.loading ? <Loading what={what} /> : null}
      {loaded.data && isEmpty && empty ? <p className="muted">{empty}</p> : null}
    </>
  );
}
