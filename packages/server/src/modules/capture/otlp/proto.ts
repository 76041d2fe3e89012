import protobuf from "protobufjs";

/**
 * The parts of the OTLP trace and logs protocols (opentelemetry-proto: collector/trace/v1, trace/v1,
 * collector/logs/v1, logs/v1,
 * common/v1, resource/v1) and of google.rpc.Status that this receiver reads and writes, as
 * .proto text. Field numbers and types are the wire contract; fields left out here are skipped
 * by the decoder as unknown, which OTLP allows. Names follow upstream so the parsed JSON uses
 * the same lowerCamelCase keys as OTLP/JSON.
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";

package opentelemetry.proto.common.v1;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
`;

const OTLP_RESOURCE_PROTO = `
syntax = "proto3";

package opentelemetry.proto.resource.v1;

message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
`;

const OTLP_SPANS_PROTO = `
syntax = "proto3";

package opentelemetry.proto.trace.v1;

message ResourceSpans {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  int32 code = 3;
}
`;

const OTLP_COLLECTOR_PROTO = `
syntax = "proto3";

package opentelemetry.proto.collector.trace.v1;

message ExportTraceServiceRequest {
  repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1;
}
message ExportTraceServiceResponse {
  ExportTracePartialSuccess partial_success = 1;
}
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
`;

const OTLP_LOGS_PROTO = `
syntax = "proto3";

package opentelemetry.proto.logs.v1;

message ResourceLogs {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  opentelemetry.proto.common.v1.AnyValue body = 5;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
`;

const OTLP_LOGS_COLLECTOR_PROTO = `
syntax = "proto3";

package opentelemetry.proto.collector.logs.v1;

message ExportLogsServiceRequest {
  repeated opentelemetry.proto.logs.v1.ResourceLogs resource_logs = 1;
}
message ExportLogsServiceResponse {
  ExportLogsPartialSuccess partial_success = 1;
}
message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}
`;

const RPC_STATUS_PROTO = `
syntax = "proto3";

package google.rpc;

message Any {
  string type_url = 1;
  bytes value = 2;
}
message Status {
  int32 code = 1;
  string message = 2;
  repeated Any details = 3;
}
`;

export interface OtlpProto {
  readonly exportRequest: protobuf.Type;
  readonly exportResponse: protobuf.Type;
  readonly rpcStatus: protobuf.Type;
  readonly exportLogsRequest: protobuf.Type;
  readonly exportLogsResponse: protobuf.Type;
}

let built: OtlpProto | null = null;

/** The message types, built once on first use. */
export function otlpProto(): OtlpProto {
  if (!built) {
    const root = new protobuf.Root();
    for (const text of [
      OTLP_TRACE_PROTO,
      OTLP_RESOURCE_PROTO,
      OTLP_SPANS_PROTO,
      OTLP_COLLECTOR_PROTO,
      OTLP_LOGS_PROTO,
      OTLP_LOGS_COLLECTOR_PROTO,
      RPC_STATUS_PROTO,
    ]) {
      protobuf.parse(text, root);
    }
    root.resolveAll();
    built = {
      exportRequest: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
      exportResponse: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
      rpcStatus: root.lookupType("google.rpc.Status"),
      exportLogsRequest: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest"),
      exportLogsResponse: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse"),
    };
  }
  return built;
}
