export { type AssentClient, createAssentClient } from "./client.js";
export { type AssentClientOptions, DEFAULTS } from "./options.js";
export type {
  AssentEvent,
  Counters,
  IngestAnswer,
  Interaction,
  JsonValue,
  QueueStats,
  SharingSnapshot,
  SharingValue,
  Telemetry,
} from "./types.js";
export { SDK_VERSION } from "./version.js";
