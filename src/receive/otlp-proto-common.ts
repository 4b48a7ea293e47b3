// The parts of OTLP/protobuf decoding every signal shares: resources, scopes,
// their two-level nesting (ResourceSpans/ResourceLogs → ScopeSpans/ScopeLogs →
// items), KeyValue attributes and AnyValues. Field numbers are those of
// opentelemetry-proto v1 (common.proto, resource.proto, trace.proto, logs.proto).

import { ValueType } from '../model/span-batch.js';
import type { AttributeBuilder, ResourceScopeBuilder } from '../model/span-batch-builder.js';
import {
  ARRAY_VALUE_OPEN,
  EMPTY_VALUE_JSON,
  KVLIST_VALUE_OPEN,
  LIST_VALUE_CLOSE,
  MAX_ANY_VALUE_DEPTH,
  boolValueJson,
  bytesValueJson,
  doubleValueJson,
  intValueJson,
  keyValueJson,
  stringValueJson,
} from './any-value-json.js';
import { ProtoReader, WireType, int64FromHalves } from './protobuf-reader.js';

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
export const UNKNOWN_WIRE = -1;
const UNKNOWN = UNKNOWN_WIRE;

// Tags below are written as numbers, field number * 8 + wire type (e.g. 122 is
// field 15, length-delimited), so that switches compare against constants.

// Expected wire type per field number, for messages we decode; UNKNOWN for
// fields we skip whatever their type.
const RESOURCE_GROUP_WIRE = [UNKNOWN, LEN, LEN, LEN]; // ResourceSpans, ResourceLogs
const SCOPE_GROUP_WIRE = [UNKNOWN, LEN, LEN, LEN]; // ScopeSpans, ScopeLogs
const RESOURCE_WIRE = [UNKNOWN, LEN, VARINT];
const SCOPE_WIRE = [UNKNOWN, LEN, LEN, LEN, VARINT];
const KEY_VALUE_WIRE = [UNKNOWN, LEN, LEN];
const ANY_VALUE_WIRE = [UNKNOWN, LEN, VARINT, VARINT, I64, LEN, LEN, LEN];
const LIST_WIRE = [UNKNOWN, LEN]; // ArrayValue and KeyValueList: values = 1

const ANY_STRING = 10;
const ANY_BOOL = 16;
const ANY_INT = 24;
const ANY_DOUBLE = 33;
const ANY_ARRAY = 42;
const ANY_KVLIST = 50;
const ANY_BYTES = 58;

/** A builder of items (spans, log records) with their resources and scopes. */
export type ItemBuilder = ResourceScopeBuilder & { length: number };

/** Decodes one item (Span, LogRecord) at [r.pos, r.end) of `resource` and `scope`. */
export type ItemDecoder<B extends ItemBuilder> = (r: ProtoReader, b: B, resource: number, scope: number) => void;

/** Message names for errors: 'ExportTraceServiceRequest', 'ResourceSpans', 'ScopeSpans'. */
export interface GroupNames {
  request: string;
  resource: string;
  scope: string;
}

const REQUEST_WIRE = [UNKNOWN, LEN];

// Export*ServiceRequest: 1 resource_spans / resource_logs (repeated)
/** Walks a whole export request, handing every item to `decodeItem`. */
export function decodeExportRequest<B extends ItemBuilder>(bytes: Uint8Array, b: B, names: GroupNames, decodeItem: ItemDecoder<B>): void {
  const r = new ProtoReader(bytes, 'otlp-proto');
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      const outer = r.enter();
      decodeResourceGroup(r, b, names, decodeItem);
      r.leave(outer);
    } else {
      r.skipUnknown(tag, REQUEST_WIRE, names.request);
    }
  }
}

// ResourceSpans / ResourceLogs: 1 resource (Resource), 2 scope_spans / scope_logs
// (repeated), 3 schema_url (string)
export function decodeResourceGroup<B extends ItemBuilder>(r: ProtoReader, b: B, names: GroupNames, decodeItem: ItemDecoder<B>): void {
  const start = r.pos;
  const resource = b.resourceCount; // the index addResource will hand out
  const attributesStart = b.resourceAttributes.length;
  let schemaUrl = '';
  let dropped = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 resource
      const outer = r.enter();
      dropped = decodeResource(r, b.resourceAttributes, resource, dropped);
      r.leave(outer);
    } else if (tag === 18) {
      r.skip(tag); // 2 scope_*, read in the second pass
    } else if (tag === 26) {
      // 3 schema_url
      schemaUrl = r.string();
    } else {
      r.skipUnknown(tag, RESOURCE_GROUP_WIRE, names.resource);
    }
  }
  b.addResource(schemaUrl, dropped);
  setServiceName(b, resource, attributesStart);

  const itemsBefore = b.length;
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      const outer = r.enter();
      decodeScopeGroup(r, b, resource, names.scope, decodeItem);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  if (b.length === itemsBefore) b.removeLastResource(attributesStart);
}

// ScopeSpans / ScopeLogs: 1 scope (InstrumentationScope), 2 spans / log_records
// (repeated), 3 schema_url (string)
function decodeScopeGroup<B extends ItemBuilder>(r: ProtoReader, b: B, resource: number, name: string, decodeItem: ItemDecoder<B>): void {
  const start = r.pos;
  const scope = b.scopeCount;
  const attributesStart = b.scopeAttributes.length;
  const fields: ScopeFields = { name: '', version: '', dropped: 0 };
  let schemaUrl = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 scope
      const outer = r.enter();
      decodeScope(r, b.scopeAttributes, scope, fields);
      r.leave(outer);
    } else if (tag === 18) {
      r.skip(tag); // 2 items, read in the second pass
    } else if (tag === 26) {
      // 3 schema_url
      schemaUrl = r.string();
    } else {
      r.skipUnknown(tag, SCOPE_GROUP_WIRE, name);
    }
  }
  b.addScope(fields.name, fields.version, schemaUrl, fields.dropped);

  const itemsBefore = b.length;
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      const outer = r.enter();
      decodeItem(r, b, resource, scope);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  if (b.length === itemsBefore) b.removeLastScope(attributesStart);
}

/** The last `service.name` attribute of the resource, when it is a string. */
export function setServiceName(b: ResourceScopeBuilder, resource: number, attributesStart: number): void {
  const attrs = b.resourceAttributes;
  for (let i = attrs.length - 1; i >= attributesStart; i--) {
    if (attrs.key[i] === 'service.name') {
      if (attrs.type[i] === ValueType.String) b.setResourceServiceName(resource, attrs.str[i]!);
      return;
    }
  }
}

// Resource: 1 attributes (repeated KeyValue), 2 dropped_attributes_count (uint32)
function decodeResource(r: ProtoReader, attrs: AttributeBuilder, owner: number, dropped: number): number {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) decodeKeyValue(r, attrs, owner); // 1 attributes
    else if (tag === 16) dropped = r.uint32(); // 2 dropped_attributes_count
    else r.skipUnknown(tag, RESOURCE_WIRE, 'Resource');
  }
  return dropped;
}


interface ScopeFields {
  name: string;
  version: string;
  dropped: number;
}

// InstrumentationScope: 1 name, 2 version (string), 3 attributes (repeated KeyValue),
// 4 dropped_attributes_count (uint32)
function decodeScope(r: ProtoReader, attrs: AttributeBuilder, owner: number, out: ScopeFields): void {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) out.name = r.string(); // 1 name
    else if (tag === 18) out.version = r.string(); // 2 version
    else if (tag === 26) decodeKeyValue(r, attrs, owner); // 3 attributes
    else if (tag === 32) out.dropped = r.uint32(); // 4 dropped_attributes_count
    else r.skipUnknown(tag, SCOPE_WIRE, 'InstrumentationScope');
  }
}

// KeyValue: 1 key (string), 2 value (AnyValue). The value is decoded once the
// key is known, as the key may come after it.
export function decodeKeyValue(r: ProtoReader, attrs: AttributeBuilder, owner: number): void {
  const outer = r.enter();
  const start = r.pos;
  const end = r.end;
  const bytes = r.bytes;
  // Fast path for what every encoder writes: key, then value, nothing else.
  if (start < end && bytes[start] === 10) {
    r.pos = start + 1;
    const key = r.key();
    if (r.pos < end && bytes[r.pos] === 18) {
      r.pos++;
      const length = r.length();
      if (r.pos + length === end) {
        addAnyValue(r, attrs, owner, key);
        r.leave(outer);
        return;
      }
    }
    r.pos = start;
  }
  const kv = scanKeyValue(r);
  if (kv.valueAt < 0) {
    attrs.addEmpty(owner, kv.key);
  } else {
    const key = kv.key;
    r.pos = kv.valueAt;
    r.end = kv.valueEnd;
    addAnyValue(r, attrs, owner, key);
    r.end = end;
  }
  r.leave(outer);
}

/** Where a KeyValue's fields lie; one shared scratch, read before the next scan. */
const keyValueFields = { key: '', valueAt: -1, valueEnd: -1 };

/**
 * Reads the KeyValue fields in [r.pos, r.end) in any order (1 key, 2 value),
 * skipping unknown ones; the value is only located, as the key may follow it.
 */
function scanKeyValue(r: ProtoReader): typeof keyValueFields {
  const out = keyValueFields;
  out.key = '';
  out.valueAt = out.valueEnd = -1;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      out.key = r.key();
    } else if (tag === 18) {
      const length = r.length();
      out.valueAt = r.pos;
      out.valueEnd = out.valueAt + length;
      r.pos = out.valueEnd;
    } else {
      r.skipUnknown(tag, KEY_VALUE_WIRE, 'KeyValue');
    }
  }
  return out;
}

/**
 * Finds the oneof member of the AnyValue in [r.pos, r.end) that counts (the
 * last one set) and leaves r.pos at its value; returns its tag, or 0 when none
 * is set.
 */
function findAnyValue(r: ProtoReader): number {
  let found = 0;
  let foundAt = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case ANY_STRING:
      case ANY_BOOL:
      case ANY_INT:
      case ANY_DOUBLE:
      case ANY_ARRAY:
      case ANY_KVLIST:
      case ANY_BYTES:
        found = tag;
        foundAt = r.pos;
        r.skip(tag);
        break;
      default:
        r.skipUnknown(tag, ANY_VALUE_WIRE, 'AnyValue');
    }
  }
  r.pos = foundAt;
  return found;
}

// AnyValue: 1 string_value, 2 bool_value, 3 int_value (int64), 4 double_value,
// 5 array_value (ArrayValue), 6 kvlist_value (KeyValueList), 7 bytes_value
// Adds the AnyValue in [r.pos, r.end) as an attribute; leaves r.pos anywhere.
export function addAnyValue(r: ProtoReader, attrs: AttributeBuilder, owner: number, key: string): void {
  const start = r.pos;
  const end = r.end;
  // Fast path: a single scalar member, the usual case.
  if (start < end) {
    r.pos = start + 1;
    switch (r.bytes[start]) {
      case ANY_STRING: {
        const value = r.string();
        if (r.pos === end) return attrs.addString(owner, key, value);
        break;
      }
      case ANY_INT: {
        const low = r.varint64();
        if (r.pos === end) return attrs.addIntHalves(owner, key, low, r.hi);
        break;
      }
      case ANY_BOOL: {
        const value = r.bool();
        if (r.pos === end) return attrs.addBool(owner, key, value);
        break;
      }
      case ANY_DOUBLE: {
        const value = r.double();
        if (r.pos === end) return attrs.addDouble(owner, key, value);
        break;
      }
    }
    r.pos = start;
  }
  switch (findAnyValue(r)) {
    case ANY_STRING:
      attrs.addString(owner, key, r.string());
      break;
    case ANY_BOOL:
      attrs.addBool(owner, key, r.bool());
      break;
    case ANY_INT:
      attrs.addInt(owner, key, r.int64());
      break;
    case ANY_DOUBLE:
      attrs.addDouble(owner, key, r.double());
      break;
    case ANY_BYTES:
      attrs.addBytes(owner, key, r.base64());
      break;
    case ANY_ARRAY:
      attrs.addComplex(owner, key, ValueType.Array, listJson(r, true, 2));
      break;
    case ANY_KVLIST:
      attrs.addComplex(owner, key, ValueType.KvList, listJson(r, false, 2));
      break;
    default:
      attrs.addEmpty(owner, key);
  }
}

/**
 * Canonical JSON (any-value-json.ts) of the ArrayValue or KeyValueList that
 * starts at r.pos (its length prefix); its elements are at nesting level `depth`.
 */
function listJson(r: ProtoReader, isArray: boolean, depth: number): string {
  const outer = r.enter();
  let out = isArray ? ARRAY_VALUE_OPEN : KVLIST_VALUE_OPEN;
  let first = true;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag !== 10) {
      r.skipUnknown(tag, LIST_WIRE, isArray ? 'ArrayValue' : 'KeyValueList');
      continue;
    }
    if (!first) out += ',';
    first = false;
    out += isArray ? elementJson(r, depth) : keyValueElementJson(r, depth);
  }
  r.leave(outer);
  return out + LIST_VALUE_CLOSE;
}

/** JSON of the length-delimited AnyValue at r.pos, nested at level `depth`. */
function elementJson(r: ProtoReader, depth: number): string {
  const outer = r.enter();
  if (depth > MAX_ANY_VALUE_DEPTH) r.fail(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const json = anyValueJson(r, depth);
  r.leave(outer);
  return json;
}

function anyValueJson(r: ProtoReader, depth: number): string {
  switch (findAnyValue(r)) {
    case ANY_STRING:
      return stringValueJson(r.string());
    case ANY_BOOL:
      return boolValueJson(r.bool());
    case ANY_INT: {
      const lo = r.varint64();
      // most ints are small and non-negative: skip the bigint
      return r.hi === 0 ? '{"intValue":"' + lo + '"}' : intValueJson(int64FromHalves(lo, r.hi));
    }
    case ANY_DOUBLE:
      return doubleValueJson(r.double());
    case ANY_BYTES:
      return bytesValueJson(r.base64());
    case ANY_ARRAY:
      return listJson(r, true, depth + 1);
    case ANY_KVLIST:
      return listJson(r, false, depth + 1);
    default:
      return EMPTY_VALUE_JSON;
  }
}

/** JSON of the length-delimited KeyValue at r.pos inside a kvlist at level `depth`. */
function keyValueElementJson(r: ProtoReader, depth: number): string {
  const outer = r.enter();
  // copied out of the shared scratch: the nested value scans KeyValues too
  const { key, valueAt, valueEnd } = scanKeyValue(r);
  let value = EMPTY_VALUE_JSON;
  if (valueAt >= 0) {
    if (depth > MAX_ANY_VALUE_DEPTH) r.fail(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`, valueAt);
    const kvEnd = r.end;
    r.pos = valueAt;
    r.end = valueEnd;
    value = anyValueJson(r, depth);
    r.pos = r.end = kvEnd;
  }
  r.leave(outer);
  return keyValueJson(key, value);
}
