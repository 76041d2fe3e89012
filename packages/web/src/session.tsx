import type { Role, User } from "@assent/sdk/contract/staff";
import { createContext, useContext } from "react";

export interface SessionContextValue {
  readonly user: User;
  /** Reads the session again (after a password change, say). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside a signed-in session");
  return value;
}

export const hasRole = (user: User, role: Role): boolean => user.roles.includes(role);
