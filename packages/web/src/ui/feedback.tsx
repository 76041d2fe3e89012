import type { ReactNode } from "react";
import type { ApiError } from "../api/client.js";

/** The API's answer to a failed action, shown right next to that action. */
export function ErrorNote({ error, id }: { readonly error: ApiError | null; readonly id?: string }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert" id={id}>
      <strong>{error.status ? "Refused: " : "Failed: "}</strong>
      {error.message}
      {error.status ? <span className="error-code"> ({error.code})</span> : null}
    </p>
  );
}

/** A polite live region: screen readers announce what an action did. Always rendered. */
export function Status({ children }: { readonly children?: ReactNode }) {
  return (
    <p className="status" aria-live="polite" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { readonly what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

export function Badge({ tone, children }: { readonly tone: string; readonly children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
