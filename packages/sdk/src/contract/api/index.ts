/**
 * The staff API's answers (and the bodies the web app sends), each one TypeBox schema: the server's
 * routes validate and document with them (/openapi.json), the web app takes their static types.
 */

export * from "./access.js";
export * from "./audit.js";
export * from "./datasets.js";
export * from "./evidence.js";
export * from "./operations.js";
export * from "./people.js";
export * from "./queues.js";
export * from "./receipts.js";
export * from "./review.js";
export * from "./sharing.js";
export * from "./webhooks.js";
