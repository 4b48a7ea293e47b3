// OTLP/JSON attributes (KeyValue lists) into an AttributeBuilder. Array and
// kvlist values are stored as canonical JSON text, written with the shared
// writers of any-value-json.ts so that the protobuf decoder's text is the same
// byte for byte. The walk is this file's own (rather than
// canonicalAnyValueJson) for two things the JSON decoder promises: errors name
// the full JSON path, and bare integers beyond 2^53 are read exactly (see
// InexactIntegerError).

import { ValueType } from '../model/span-batch.js';
import type { AttributeBuilder } from '../model/span-batch-builder.js';
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
  wellFormedString,
} from './any-value-json.js';
import {
  JsonShapeError,
  addPathSegment,
  base64Of,
  boolOf,
  describe,
  doubleOf,
  expectObject,
  int64Of,
  isObject,
  readArray,
  readString,
  stringOf,
  within,
  type JsonObject,
} from './otlp-json-fields.js';

// Which member of an AnyValue is set, found by detectAnyValue; the value and
// the key it came under are left here rather than in a tuple per value.
let foundValue: unknown;
let foundKey = '';

function found(v: unknown, key: string, type: ValueType): ValueType {
  foundValue = v;
  foundKey = key;
  return type;
}

// JSON names first, as named loads (the common case is the first or second check).
function detectAnyValue(v: JsonObject): ValueType {
  let x = v['stringValue'];
  if (x !== undefined && x !== null) return found(x, 'stringValue', ValueType.String);
  x = v['intValue'];
  if (x !== undefined && x !== null) return found(x, 'intValue', ValueType.Int);
  x = v['boolValue'];
  if (x !== undefined && x !== null) return found(x, 'boolValue', ValueType.Bool);
  x = v['doubleValue'];
  if (x !== undefined && x !== null) return found(x, 'doubleValue', ValueType.Double);
  x = v['arrayValue'];
  if (x !== undefined && x !== null) return found(x, 'arrayValue', ValueType.Array);
  x = v['kvlistValue'];
  if (x !== undefined && x !== null) return found(x, 'kvlistValue', ValueType.KvList);
  x = v['bytesValue'];
  if (x !== undefined && x !== null) return found(x, 'bytesValue', ValueType.Bytes);
  return detectSnakeCaseAnyValue(v);
}

const SNAKE_CASE_MEMBERS: readonly (readonly [string, ValueType])[] = [
  ['string_value', ValueType.String],
  ['int_value', ValueType.Int],
  ['bool_value', ValueType.Bool],
  ['double_value', ValueType.Double],
  ['array_value', ValueType.Array],
  ['kvlist_value', ValueType.KvList],
  ['bytes_value', ValueType.Bytes],
];

function detectSnakeCaseAnyValue(v: JsonObject): ValueType {
  for (const [key, type] of SNAKE_CASE_MEMBERS) {
    const x = v[key];
    if (x !== undefined && x !== null) return found(x, key, type);
  }
  return ValueType.Empty;
}

/** Appends the `attributes` (KeyValue list) of `holder` to `target` under `owner`. */
export function readAttributes(holder: JsonObject, target: AttributeBuilder, owner: number): void {
  const list = readArray(holder, 'attributes');
  let i = 0;
  try {
    for (; i < list.length; i++) {
      const kv = expectObject(list[i]);
      addAttribute(target, owner, readString(kv, 'key'), kv['value']);
    }
  } catch (e) {
    within(e, `attributes[${i}]`);
  }
}

/** Appends one AnyValue (JSON form; missing or null = empty) under `key`. */
export function addAttribute(target: AttributeBuilder, owner: number, key: string, value: unknown): void {
  if (value === undefined || value === null) {
    target.addEmpty(owner, key);
    return;
  }
  try {
    if (!isObject(value)) throw new JsonShapeError(`expected AnyValue object, got ${describe(value)}`);
    const type = detectAnyValue(value);
    const x = foundValue;
    const memberKey = foundKey;
    switch (type) {
      case ValueType.String:
        target.addString(owner, key, stringOf(x, memberKey));
        break;
      case ValueType.Int:
        target.addInt(owner, key, int64Of(x, memberKey));
        break;
      case ValueType.Bool:
        target.addBool(owner, key, boolOf(x, memberKey));
        break;
      case ValueType.Double:
        target.addDouble(owner, key, doubleOf(x, memberKey));
        break;
      case ValueType.Bytes:
        target.addBytes(owner, key, base64Of(x, memberKey));
        break;
      case ValueType.Array:
        target.addComplex(owner, key, ValueType.Array, arrayValueJson(x, memberKey, 1));
        break;
      case ValueType.KvList:
        target.addComplex(owner, key, ValueType.KvList, kvlistValueJson(x, memberKey, 1));
        break;
      default:
        target.addEmpty(owner, key);
    }
  } catch (e) {
    within(e, 'value');
  }
}

/** Canonical JSON of one AnyValue at nesting level `depth`. */
function anyValueJson(value: unknown, depth: number): string {
  if (value === undefined || value === null) return EMPTY_VALUE_JSON;
  if (!isObject(value)) throw new JsonShapeError(`expected AnyValue object, got ${describe(value)}`);
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw new JsonShapeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  const type = detectAnyValue(value);
  const x = foundValue;
  const key = foundKey;
  switch (type) {
    case ValueType.String:
      return stringValueJson(wellFormedString(stringOf(x, key)));
    case ValueType.Int:
      return intValueJson(int64Of(x, key));
    case ValueType.Bool:
      return boolValueJson(boolOf(x, key));
    case ValueType.Double:
      return doubleValueJson(doubleOf(x, key));
    case ValueType.Bytes:
      return bytesValueJson(base64Of(x, key));
    case ValueType.Array:
      return arrayValueJson(x, key, depth);
    case ValueType.KvList:
      return kvlistValueJson(x, key, depth);
    default:
      return EMPTY_VALUE_JSON;
  }
}

/** `{"arrayValue":{"values":[…]}}` of an ArrayValue found under `key`, whose AnyValue is at `depth`. */
function arrayValueJson(x: unknown, key: string, depth: number): string {
  let i = -1;
  try {
    const values = readArray(expectObject(x), 'values');
    let s = ARRAY_VALUE_OPEN;
    for (i = 0; i < values.length; i++) {
      if (i > 0) s += ',';
      s += anyValueJson(values[i], depth + 1);
    }
    return s + LIST_VALUE_CLOSE;
  } catch (e) {
    if (i >= 0) addPathSegment(e, `values[${i}]`);
    return within(e, key);
  }
}

/** `{"kvlistValue":{"values":[{"key":…,"value":…}]}}` of a KeyValueList found under `key`. */
function kvlistValueJson(x: unknown, key: string, depth: number): string {
  let i = -1;
  try {
    const values = readArray(expectObject(x), 'values');
    let s = KVLIST_VALUE_OPEN;
    for (i = 0; i < values.length; i++) {
      const kv = expectObject(values[i]);
      if (i > 0) s += ',';
      s += keyValueJson(wellFormedString(readString(kv, 'key')), kvValueJson(kv, depth));
    }
    return s + LIST_VALUE_CLOSE;
  } catch (e) {
    if (i >= 0) addPathSegment(e, `values[${i}]`);
    return within(e, key);
  }
}

function kvValueJson(kv: JsonObject, depth: number): string {
  try {
    return anyValueJson(kv['value'], depth + 1);
  } catch (e) {
    return within(e, 'value');
  }
}
