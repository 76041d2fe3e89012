export const STAFF_ROLES = ["operator", "reviewer", "approver"] as const;
export const ROLES = [...STAFF_ROLES, "tenant-admin"] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);
