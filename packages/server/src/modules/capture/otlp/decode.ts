import { badRequest } from "../../../errors.js";
import { otlpProto } from "./proto.js";

/** The two OTLP signals this receiver takes, and where each nests its items. */
export type Signal = "traces" | "logs";

const SHAPE = {
  traces: { message: "ExportTraceServiceRequest", path: ["resourceSpans", "scopeSpans", "spans"] },
  logs: { message: "ExportLogsServiceRequest", path: ["resourceLogs", "scopeLogs", "logRecords"] },
} as const;

const ID_FIELDS = ["traceId", "spanId", "parentSpanId"] as const;

/**
 * Decodes a protobuf export request into its OTLP/JSON form, so one reader serves both
 * encodings: int64 become decimal strings, and the trace and span ids, bytes on the wire,
 * become hex as OTLP/JSON writes them (other bytes stay base64, as in OTLP/JSON).
 */
export function decodeProtobufRequest(body: Buffer, signal: Signal): unknown {
  const proto = otlpProto();
  const type = signal === "traces" ? proto.exportRequest : proto.exportLogsRequest;
  const shape = SHAPE[signal];
  let json: Record<string, unknown>;
  try {
    json = type.toObject(type.decode(body), { longs: String, bytes: String });
  } catch {
    // The decoder's messages describe offsets and wire types only, but say it in our words.
    throw badRequest("invalid_otlp", `body is not a valid protobuf ${shape.message}`);
  }
  const [outer, middle, inner] = shape.path;
  for (const r of asList(json[outer])) {
    for (const s of asList(r[middle])) {
      for (const item of asList(s[inner])) {
        for (const f of ID_FIELDS) {
          if (typeof item[f] === "string") item[f] = Buffer.from(item[f], "base64").toString("hex");
        }
      }
    }
  }
  return json;
}

const asList = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : []);
