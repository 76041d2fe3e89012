export { type AssentClient, createAssentClient } from "./client.js";
export { type AssentClientOptions, DEFAULTS, SERVICE_KEY_PREFIX } from "./options.js";
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
  TenantAnswer,
  TenantsSharingState,
} from "./types.js";
export { SDK_VERSION } from "./version.js";
