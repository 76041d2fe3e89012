/**
 * `@assent/sdk/evidence`: check signed consent records and deletion receipts offline, with the
 * deployment's public keys only. Used by `assent evidence verify` and the admin center.
 */
export { canonicalJson, payloadOf, recordHash, sha256Hex } from "./canonical.js";
export * from "./types.js";
export { isConsentRecord, verifyEvidence } from "./verify.js";
