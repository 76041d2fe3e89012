export interface Dataset {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly purpose: string;
  readonly description: string | null;
  readonly createdBy: string;
  readonly grantId: string;
  readonly createdAt: number;
  readonly items: number;
}

export interface NewDataset {
  readonly region: string;
  readonly name: string;
  readonly purpose: string;
  readonly description?: string | null;
}

export interface AddItemsResult {
  readonly added: number;
  readonly duplicates: number;
}

/** Purposes that are never allowed, whatever the configuration says (P8). */
export const FORBIDDEN_PURPOSE = /foundation|pre-?train/i;
/** The largest dataset: an export is built in memory and audited item by item. */
export const MAX_DATASET_ITEMS = 5000;
export const MAX_ITEMS_PER_CALL = 500;

export interface DatasetItem {
  readonly interactionId: string;
  readonly tenantId: string;
  readonly addedBy: string;
  readonly addedAt: number;
}
