import { otlpProto } from "./proto.js";
import type { TraceExportOutcome } from "./types.js";

export const PROTOBUF = "application/x-protobuf";

/** OTLP/HTTP answers in the encoding of the request. */
export const wantsProtobuf = (contentType: string | undefined): boolean =>
  (contentType ?? "").toLowerCase().startsWith(PROTOBUF);

export interface ExportTraceServiceResponse {
  partialSuccess?: { rejectedSpans: number; errorMessage: string };
}

/** How many reasons the error message lists before it only counts the rest. */
const MAX_REASONS = 5;

const spans = (n: number) => (n === 1 ? "1 span" : `${n} spans`);

/**
 * The OTLP answer to an export: spans not taken (invalid GenAI spans, and GenAI spans dropped
 * because sharing was off) are `rejectedSpans`, explained in `errorMessage`. Spans that are not
 * model calls are ignored, not rejected: they are none of Assent's business, and an exporter
 * that sends all of an application's traces should not warn on every export. A full success
 * leaves `partialSuccess` unset, as OTLP asks.
 */
export function exportResponse(o: TraceExportOutcome): ExportTraceServiceResponse {
  const notes: string[] = [];
  if (o.dropped > 0) {
    notes.push(
      o.multiTenant
        ? `${spans(o.dropped)} dropped: their tenant's sharing is off (or was not yet on when they started)`
        : o.sharing === "off"
          ? `sharing is off for this tenant: ${spans(o.dropped)} dropped, nothing stored`
          : `${spans(o.dropped)} dropped: started before sharing was turned on`,
    );
  }
  if (o.rejected.length > 0) {
    const more = o.rejected.length - MAX_REASONS;
    notes.push(
      `${spans(o.rejected.length)} rejected: ${o.rejected.slice(0, MAX_REASONS).join("; ")}` +
        (more > 0 ? `; and ${more} more` : ""),
    );
  }
  const rejectedSpans = o.dropped + o.rejected.length;
  return rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage: notes.join(". ") } } : {};
}

export function encodeExportResponse(body: ExportTraceServiceResponse): Buffer {
  const { exportResponse: type } = otlpProto();
  return Buffer.from(type.encode(type.fromObject(body)).finish());
}

/** google.rpc.Status, the body of every OTLP/HTTP error. */
export interface RpcStatus {
  code: number;
  message: string;
  details: never[];
}

/** gRPC status codes for the HTTP statuses this endpoint answers with. */
export function rpcCode(httpStatus: number): number {
  switch (httpStatus) {
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return httpStatus >= 500 ? 13 : 3; // INTERNAL : INVALID_ARGUMENT
  }
}

export function encodeStatus(status: RpcStatus): Buffer {
  const { rpcStatus } = otlpProto();
  return Buffer.from(rpcStatus.encode(rpcStatus.fromObject(status)).finish());
}
