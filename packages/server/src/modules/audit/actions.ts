/**
 * Audit actions that record an access to a tenant's shared data. Each is written to the tenant's
 * home-region chain with the grant that allowed it, and shown to the tenant in its access log.
 */
export const ACCESS_ACTIONS = {
  read: "interaction.read",
  label: "interaction.label",
  datasetAdd: "dataset.add-items",
  export: "dataset.export",
} as const;

export const ACCESS_ACTION_LIST: readonly string[] = Object.values(ACCESS_ACTIONS);
