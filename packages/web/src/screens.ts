import type { Role } from "@assent/sdk/contract/staff";

export type ScreenPath = "/admin" | "/review" | "/approvals" | "/operations";

/** The app's screens and the role each needs; the navigation shows only the caller's. */
export interface ScreenInfo {
  readonly path: ScreenPath;
  readonly title: string;
  readonly role: Role;
}

export const SCREENS: readonly ScreenInfo[] = [
  { path: "/admin", title: "Admin center", role: "tenant-admin" },
  { path: "/review", title: "Reviewer workbench", role: "reviewer" },
  { path: "/approvals", title: "Approvals", role: "approver" },
  { path: "/operations", title: "Operations", role: "operator" },
];

export const screensFor = (roles: readonly string[]): ScreenInfo[] =>
  SCREENS.filter((s) => roles.includes(s.role));

export const screenOf = (path: string): ScreenInfo | undefined =>
  SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));
