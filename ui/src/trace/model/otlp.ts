// The OTLP JSON the API answers GET /api/traces/{id} with ({ batches:
// ResourceSpans[] }, ids as lower-case hex, times as decimal strings), typed
// loosely: the page must cope with what a collector or older marquetry sends.

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpEvent {
  timeUnixNano?: string;
  name?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpLink {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  traceState?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpEvent[];
  droppedEventsCount?: number;
  links?: OtlpLink[];
  droppedLinksCount?: number;
  status?: { code?: number | string; message?: string };
}

export interface OtlpScopeSpans {
  scope?: { name?: string; version?: string; attributes?: OtlpKeyValue[] };
  spans?: OtlpSpan[];
  schemaUrl?: string;
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: OtlpScopeSpans[];
  schemaUrl?: string;
}

/** GET /api/traces/{id} */
export interface OtlpTraceResponse {
  batches: OtlpResourceSpans[];
}

/** A value as the detail panel shows it: strings bare, the rest as JSON-ish text. */
export function formatAnyValue(v: OtlpAnyValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return `[${(v.arrayValue.values ?? []).map(quotedValue).join(', ')}]`;
  if (v.kvlistValue !== undefined) return `{${(v.kvlistValue.values ?? []).map((kv) => `${kv.key}: ${quotedValue(kv.value)}`).join(', ')}}`;
  return '';
}

function quotedValue(v: OtlpAnyValue | undefined): string {
  return v?.stringValue !== undefined ? JSON.stringify(v.stringValue) : formatAnyValue(v);
}
