// OTLP AnyValue → label value text, as Prometheus's OTLP receiver writes it
// (the collector's pcommon Value.AsString): strings as they are, ints in
// decimal, doubles as JavaScript/ES6 prints them, bools true/false, bytes as
// padded base64, arrays and kvlists as compact JSON (kvlist keys sorted, as Go
// marshals maps), an empty value as "". Non-finite doubles are written NaN,
// +Inf, -Inf (Go writes an error text there).

import { ProtoReader, WireType, int64FromHalves } from '../protobuf-reader.js';
import {
  JsonShapeError,
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
} from '../otlp-json-fields.js';
import { skipField } from './proto-skip.js';

const MAX_DEPTH = 32;

export function doubleText(x: number): string {
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return Object.is(x, -0) ? '-0' : String(x);
}

// ---- protobuf ----

const UNKNOWN = -1;
const ANY_VALUE_WIRE = [UNKNOWN, WireType.LengthDelimited, WireType.Varint, WireType.Varint, WireType.Fixed64, WireType.LengthDelimited, WireType.LengthDelimited, WireType.LengthDelimited];
const LIST_WIRE = [UNKNOWN, WireType.LengthDelimited];
const KEY_VALUE_WIRE = [UNKNOWN, WireType.LengthDelimited, WireType.LengthDelimited];

// AnyValue: 1 string_value, 2 bool_value, 3 int_value (int64), 4 double_value,
// 5 array_value (ArrayValue), 6 kvlist_value (KeyValueList), 7 bytes_value
/** Text of the AnyValue message in [r.pos, r.end); the last member set wins. */
export function anyValueText(r: ProtoReader): string {
  return rawText(anyValueRaw(r, 0));
}

/** A decoded value: strings are final text; the rest is rendered by rawJson. */
type Raw = string | RawScalar | Raw[] | RawMap;
interface RawScalar {
  json: string;
}
interface RawMap {
  keys: string[];
  values: Raw[];
}

/** An AnyValue with no member set: "" on its own, null inside an array or kvlist. */
const EMPTY: RawScalar = { json: 'null' };

function rawText(raw: Raw): string {
  if (raw === EMPTY) return '';
  return typeof raw === 'string' ? raw : rawJson(raw);
}

function anyValueRaw(r: ProtoReader, depth: number): Raw {
  if (depth > MAX_DEPTH) r.fail(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  let value: Raw = EMPTY;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        value = r.string();
        break;
      case 16:
        value = { json: r.bool() ? 'true' : 'false' };
        break;
      case 24: {
        const lo = r.varint64();
        value = { json: r.hi === 0 ? String(lo) : int64FromHalves(lo, r.hi).toString() };
        break;
      }
      case 33:
        value = { json: doubleJson(r.double()) };
        break;
      case 42:
        value = listRaw(r, depth, true);
        break;
      case 50:
        value = listRaw(r, depth, false);
        break;
      case 58:
        value = r.base64(); // text on its own, a JSON string inside a list
        break;
      default:
        skipField(r, tag, ANY_VALUE_WIRE, 'AnyValue');
    }
  }
  return value;
}

function listRaw(r: ProtoReader, depth: number, isArray: boolean): Raw {
  const outer = r.enter();
  const values: Raw[] = [];
  const keys: string[] = [];
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag !== 10) {
      skipField(r, tag, LIST_WIRE, isArray ? 'ArrayValue' : 'KeyValueList');
      continue;
    }
    const element = r.enter();
    if (isArray) {
      values.push(anyValueRaw(r, depth + 1));
    } else {
      let key = '';
      let value: Raw = EMPTY;
      while (r.pos < r.end) {
        const t = r.tag();
        if (t === 10) {
          key = r.key();
        } else if (t === 18) {
          const inner = r.enter();
          value = anyValueRaw(r, depth + 1);
          r.leave(inner);
        } else {
          skipField(r, t, KEY_VALUE_WIRE, 'KeyValue');
        }
      }
      keys.push(key);
      values.push(value);
    }
    r.leave(element);
  }
  r.leave(outer);
  return isArray ? values : { keys, values };
}

function doubleJson(x: number): string {
  return Number.isFinite(x) ? String(x) : JSON.stringify(doubleText(x));
}

function rawJson(v: Raw): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(rawJson).join(',')}]`;
  if ('json' in v) return v.json;
  // Go marshals a map with sorted keys; a repeated key keeps its last value
  const byKey = new Map<string, Raw>();
  for (let i = 0; i < v.keys.length; i++) byKey.set(v.keys[i]!, v.values[i]!);
  const keys = [...byKey.keys()].sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${rawJson(byKey.get(k)!)}`).join(',')}}`;
}

// ---- OTLP/JSON ----

const MEMBERS: readonly (readonly [string, string])[] = [
  ['stringValue', 'string_value'],
  ['intValue', 'int_value'],
  ['boolValue', 'bool_value'],
  ['doubleValue', 'double_value'],
  ['arrayValue', 'array_value'],
  ['kvlistValue', 'kvlist_value'],
  ['bytesValue', 'bytes_value'],
];

/** Text of an OTLP/JSON AnyValue (undefined or null: ""). Throws JsonShapeError on a wrong shape. */
export function jsonAnyValueText(v: unknown): string {
  return rawText(jsonAnyValueRaw(v, 0));
}

function jsonAnyValueRaw(v: unknown, depth: number): Raw {
  if (v === undefined || v === null) return EMPTY;
  if (!isObject(v)) throw new JsonShapeError(`expected AnyValue object, got ${describe(v)}`);
  if (depth > MAX_DEPTH) throw new JsonShapeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  for (const [camel, snake] of MEMBERS) {
    let key = camel;
    let x = v[camel];
    if (x === undefined || x === null) {
      key = snake;
      x = v[snake];
      if (x === undefined || x === null) continue;
    }
    switch (camel) {
      case 'stringValue':
        return stringOf(x, key);
      case 'intValue':
        return { json: int64Of(x, key).toString() };
      case 'boolValue':
        return { json: boolOf(x, key) ? 'true' : 'false' };
      case 'doubleValue':
        return { json: doubleJson(doubleOf(x, key)) };
      case 'bytesValue':
        return base64Of(x, key);
      case 'arrayValue':
        return jsonListRaw(x, key, depth, true);
      default:
        return jsonListRaw(x, key, depth, false);
    }
  }
  return EMPTY;
}

function jsonListRaw(x: unknown, key: string, depth: number, isArray: boolean): Raw {
  let i = -1;
  try {
    const list = readArray(expectObject(x), 'values');
    const values: Raw[] = [];
    const keys: string[] = [];
    for (i = 0; i < list.length; i++) {
      if (isArray) {
        values.push(jsonAnyValueRaw(list[i], depth + 1));
      } else {
        const kv: JsonObject = expectObject(list[i]);
        keys.push(readString(kv, 'key'));
        values.push(jsonAnyValueRaw(kv['value'], depth + 1));
      }
    }
    return isArray ? values : { keys, values };
  } catch (e) {
    if (i >= 0 && e instanceof JsonShapeError) e.reversedPath.push(`values[${i}]`);
    return within(e, key);
  }
}
