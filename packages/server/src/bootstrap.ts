import { randomBytes } from "node:crypto";
import { CLI_ACTOR } from "./actor.js";
import type { UsersService } from "./modules/access/service.js";

export const FIRST_OPERATOR_EMAIL = "operator@assent.local";

/**
 * On first start with no users at all, creates the first operator with a one-time password
 * that must be changed at first sign-in. Returns the credentials to print, or null.
 */
export async function ensureFirstOperator(
  users: Pick<UsersService, "countUsers" | "createUser">,
): Promise<{ email: string; password: string } | null> {
  if ((await users.countUsers()) > 0) return null;
  const password = randomBytes(15).toString("base64url");
  await users.createUser(
    {
      email: FIRST_OPERATOR_EMAIL,
      password,
      roles: ["operator"],
      name: "First operator",
      mustChangePassword: true,
    },
    CLI_ACTOR,
  );
  return { email: FIRST_OPERATOR_EMAIL, password };
}
