import { badRequest } from "../../../errors.js";
import { otlpProto } from "./proto.js";

const ID_FIELDS = ["traceId", "spanId", "parentSpanId"] as const;

/**
 * Decodes a protobuf ExportTraceServiceRequest into its OTLP/JSON form, so one reader serves
 * both encodings: int64 become decimal strings, and the span ids, bytes on the wire, become
 * hex as OTLP/JSON writes them (other bytes stay base64, as in OTLP/JSON).
 */
export function decodeProtobufRequest(body: Buffer): unknown {
  const { exportRequest } = otlpProto();
  let json: Record<string, unknown>;
  try {
    json = exportRequest.toObject(exportRequest.decode(body), { longs: String, bytes: String });
  } catch {
    // The decoder's messages describe offsets and wire types only, but say it in our words.
    throw badRequest("invalid_otlp", "body is not a valid protobuf ExportTraceServiceRequest");
  }
  for (const rs of asList(json.resourceSpans)) {
    for (const ss of asList(rs.scopeSpans)) {
      for (const span of asList(ss.spans)) {
        for (const f of ID_FIELDS) {
          if (typeof span[f] === "string") span[f] = Buffer.from(span[f], "base64").toString("hex");
        }
      }
    }
  }
  return json;
}

const asList = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : []);
