// The columnar form every stage passes spans in: decoders write it, the WAL
// replays into it, the head holds it, the part writer reads it. One typed array
// per field, indexed by span; nested things (attributes, events, links) are
// their own column sets with an `owner` index back to their parent row. There
// is no object per span anywhere on the hot path.

/** OTLP AnyValue kinds, as stored in AttributeColumns.type. */
export const ValueType = {
  Empty: 0,
  String: 1,
  Bool: 2,
  Int: 3,
  Double: 4,
  Bytes: 5,
  Array: 6,
  KvList: 7,
} as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/**
 * Attributes of many owners (spans, events, links, resources or scopes), one row
 * per key/value. Values live in the column that fits their type:
 *   String → str; Bool → num (0/1); Int → int; Double → num;
 *   Bytes → str (base64, standard alphabet with padding);
 *   Array / KvList → str, holding the value in canonical OTLP JSON
 *     (e.g. `{"arrayValue":{"values":[{"intValue":"1"}]}}`), which is lossless;
 *   Empty → nothing.
 * Rows of one owner are contiguous and owners appear in ascending order.
 */
export interface AttributeColumns {
  length: number;
  owner: Uint32Array;
  key: string[];
  type: Uint8Array;
  str: string[];
  num: Float64Array;
  int: BigInt64Array;
}

/** Resources of a batch; spans point at them through SpanBatch.resource. */
export interface ResourceColumns {
  length: number;
  /** service.name when it is a string attribute, else ''. Denormalised for speed. */
  serviceName: string[];
  schemaUrl: string[];
  droppedAttributesCount: Uint32Array;
  attributes: AttributeColumns;
}

/** Instrumentation scopes of a batch (one per ScopeSpans). */
export interface ScopeColumns {
  length: number;
  name: string[];
  version: string[];
  /** ScopeSpans.schema_url */
  schemaUrl: string[];
  droppedAttributesCount: Uint32Array;
  attributes: AttributeColumns;
}

export interface EventColumns {
  length: number;
  /** index of the span that holds the event */
  owner: Uint32Array;
  timeUnixNano: BigInt64Array;
  name: string[];
  droppedAttributesCount: Uint32Array;
  attributes: AttributeColumns;
}

export interface LinkColumns {
  length: number;
  owner: Uint32Array;
  /** 16 bytes per link */
  traceId: Uint8Array;
  /** 8 bytes per link */
  spanId: Uint8Array;
  traceState: string[];
  flags: Uint32Array;
  droppedAttributesCount: Uint32Array;
  attributes: AttributeColumns;
}

export interface SpanBatch {
  length: number;
  /** 16 bytes per span */
  traceId: Uint8Array;
  /** 8 bytes per span */
  spanId: Uint8Array;
  /** 8 bytes per span; all zero for a root span */
  parentSpanId: Uint8Array;
  traceState: string[];
  flags: Uint32Array;
  name: string[];
  /** OTLP SpanKind 0..5 */
  kind: Uint8Array;
  startTimeUnixNano: BigInt64Array;
  endTimeUnixNano: BigInt64Array;
  /** OTLP StatusCode 0 unset, 1 ok, 2 error */
  statusCode: Uint8Array;
  statusMessage: string[];
  droppedAttributesCount: Uint32Array;
  droppedEventsCount: Uint32Array;
  droppedLinksCount: Uint32Array;
  /** 1 when the span has an event named "exception" */
  hasException: Uint8Array;
  /** index into resources */
  resource: Uint32Array;
  /** index into scopes */
  scope: Uint32Array;
  attributes: AttributeColumns;
  events: EventColumns;
  links: LinkColumns;
  resources: ResourceColumns;
  scopes: ScopeColumns;
}

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;
