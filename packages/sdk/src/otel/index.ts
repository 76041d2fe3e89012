export type { AssentSpanExporter, AssentSpanExporterOptions, ExporterCounters } from "./exporter.js";
export { createAssentSpanExporter, isGenAiSpan } from "./exporter.js";
