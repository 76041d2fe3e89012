/**
 * Ids as people can tell them apart. A UUIDv7 starts with its timestamp, so ids made in the same
 * minute share their first 8 characters; its last characters are random, so those are shown.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many characters of an id are shown. 8 hex characters: 1 in 4 billion that two collide. */
export const ID_CHARS = 8;

/** The part of an id shown in lists: a UUIDv7's random tail ("…" before it), a v4's head, else the id. */
export function idLabel(id: string): string {
  const uuid = UUID.exec(id);
  if (uuid) return uuid[1] === "7" ? `…${id.slice(-ID_CHARS)}` : id.slice(0, ID_CHARS);
  // Named ids ("acme", "system:retention") are shown whole unless very long.
  return id.length <= 24 ? id : `${id.slice(0, 20)}…`;
}

/** An actor for people: "Ada Lovelace (ada@x.org)", the email alone, or the id ("system:cli"). */
export function actorLabel(
  actorId: string | null,
  actor: { readonly name: string | null; readonly email: string } | null | undefined,
): string {
  if (actor) return actor.name ? `${actor.name} (${actor.email})` : actor.email;
  if (!actorId) return "—";
  return actorId.includes(":") ? actorId : idLabel(actorId);
}
