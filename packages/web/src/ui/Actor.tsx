import { actorLabel } from "./ids.js";

/** Who did something: name and email (or a system actor's name), the role beside it, the id on hover. */
export function Actor({
  id,
  actor,
  role,
}: {
  readonly id: string | null;
  readonly actor?: { readonly name: string | null; readonly email: string } | null;
  readonly role?: string | null;
}) {
  if (!id && !actor) return <span className="muted">—</span>;
  return (
    <span className="actor" title={id ?? undefined}>
      <span className="token">{actorLabel(id, actor)}</span>
      {role ? <span className="muted token"> {role}</span> : null}
    </span>
  );
}
