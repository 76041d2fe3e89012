import { anyValue, attributes, list, object, optionalId, optionalString, optionalUint64 } from "./read.js";
import type { Attributes, AttrValue } from "./types.js";

/** One log record of an export request, with what the span/log join needs. */
export interface OtlpLogRecord {
  readonly traceId: string | null;
  readonly spanId: string | null;
  /** `eventName` (OTLP 1.5+), else the `event.name` attribute older SDKs write. */
  readonly eventName: string;
  readonly attributes: Attributes;
  readonly body: AttrValue;
  /** The attributes of the record's resource (a service key's tenant may be named there). */
  readonly resource: Attributes;
}

/**
 * Reads an ExportLogsServiceRequest in its OTLP/JSON form (the protobuf decoder produces the
 * same form). As for traces, structure that cannot be decoded fails the request with a 400 that
 * names the path, never a value.
 */
export function readLogsRequest(body: unknown): OtlpLogRecord[] {
  const root = object(body, "the body");
  const out: OtlpLogRecord[] = [];
  list(root.resourceLogs, "resourceLogs").forEach((rl, i) => {
    const rlPath = `resourceLogs[${i}]`;
    const resourceLogs = object(rl, rlPath);
    const resource =
      resourceLogs.resource === undefined || resourceLogs.resource === null
        ? new Map<string, AttrValue>()
        : attributes(object(resourceLogs.resource, `${rlPath}.resource`).attributes, `${rlPath}.resource`);
    list(resourceLogs.scopeLogs, `${rlPath}.scopeLogs`).forEach((sl, j) => {
      const slPath = `${rlPath}.scopeLogs[${j}]`;
      list(object(sl, slPath).logRecords, `${slPath}.logRecords`).forEach((r, k) => {
        out.push(readRecord(r, `${slPath}.logRecords[${k}]`, resource));
      });
    });
  });
  return out;
}

function readRecord(v: unknown, path: string, resource: Attributes): OtlpLogRecord {
  const r = object(v, path);
  const attrs = attributes(r.attributes, path);
  optionalUint64(r.timeUnixNano, `${path}.timeUnixNano`);
  const named = optionalString(r.eventName, `${path}.eventName`);
  const fromAttr = attrs.get("event.name");
  return {
    traceId: optionalId(r.traceId, `${path}.traceId`, 16),
    spanId: optionalId(r.spanId, `${path}.spanId`, 8),
    eventName: named || (typeof fromAttr === "string" ? fromAttr : ""),
    attributes: attrs,
    body: anyValue(r.body, `${path}.body`, 0),
    resource,
  };
}
