export type {
  AssentSpanExporter,
  AssentSpanExporterOptions,
  ExporterCounters,
  SharingSource,
} from "./exporter.js";
export { createAssentSpanExporter, isGenAiSpan, spanTenant } from "./exporter.js";
