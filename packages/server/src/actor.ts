/** Who did something: a signed-in user, an API token, the command line, or a background job. */
export interface Actor {
  readonly id: string;
  /** The role the action was taken in (for audit): operator, reviewer, approver, tenant-admin, api-token, system. */
  readonly role: string;
  /** What a person reading the record sees (an email for users); the id when absent. */
  readonly label?: string;
  /**
   * A change a vendor's console made through an API token on behalf of a named person: `label`
   * is that person's email, `via` the token it came through. Records show both.
   */
  readonly via?: ActorVia;
}

export interface ActorVia {
  readonly tokenId: string;
  readonly tokenName: string;
  /** The person's display name, when the console gave one. */
  readonly actorName?: string;
}

export const CLI_ACTOR: Actor = { id: "system:cli", role: "system" };
export const JOBS_ACTOR: Actor = { id: "system:jobs", role: "system" };

/** Audit details naming the person and the token of a change made on someone's behalf. */
export const onBehalfDetails = (actor: Actor): Record<string, string> =>
  actor.via
    ? {
        onBehalfOf: actor.label ?? actor.id,
        ...(actor.via.actorName ? { onBehalfOfName: actor.via.actorName } : {}),
        viaToken: actor.via.tokenId,
        viaTokenName: actor.via.tokenName,
      }
    : {};
