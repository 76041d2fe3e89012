/**
 * `@assent/sdk/contract`: the shapes shared by the server, the SDK and the web app, each written
 * once (TypeBox schemas and their static types). Imports no server code. See ADR 0006.
 */

export * from "./api/index.js";
export * from "./ingest.js";
export * from "./item.js";
export * from "./staff.js";
