import { ROLES, type Role } from "@assent/sdk/contract";

export { ROLES, type Role, STAFF_ROLES } from "@assent/sdk/contract";

export const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);
