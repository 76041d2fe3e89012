/** Who did something: a signed-in user, the command line, or a background job. */
export interface Actor {
  readonly id: string;
  /** The role the action was taken in (for audit): operator, reviewer, approver, tenant-admin, system. */
  readonly role: string;
  /** What a person reading the record sees (an email for users); the id when absent. */
  readonly label?: string;
}

export const CLI_ACTOR: Actor = { id: "system:cli", role: "system" };
export const JOBS_ACTOR: Actor = { id: "system:jobs", role: "system" };
