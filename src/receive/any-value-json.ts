// Canonical OTLP/JSON text of AnyValues. Array and kvlist attribute values are
// stored as this text (AttributeColumns.str), so the protobuf and the JSON
// decoders must produce it byte for byte alike:
//
//   {"arrayValue":{"values":[<value>,...]}}
//   {"kvlistValue":{"values":[{"key":"k","value":<value>},...]}}
//   <value> is one of
//     {"stringValue":"x"}  {"boolValue":true}  {"intValue":"-12"} (int64, decimal string)
//     {"doubleValue":1.5}  {"doubleValue":-0}  {"doubleValue":"NaN"|"Infinity"|"-Infinity"}
//     {"bytesValue":"<base64, standard alphabet, padded>"}
//     an array or kvlist as above, or {} for a value with nothing set.
//
// No whitespace, exactly one key per value object, keys in the order shown.
// The protobuf decoder concatenates the small writers below; the JSON decoder
// passes parsed objects to canonicalAnyValueJson.

import { DecodeError } from '../model/errors.js';

/**
 * AnyValues nested deeper than this are refused (bounds recursion on hostile
 * input). An attribute's value is level 1, the elements of its array level 2.
 */
export const MAX_ANY_VALUE_DEPTH = 64;

export const ARRAY_VALUE_OPEN = '{"arrayValue":{"values":[';
export const KVLIST_VALUE_OPEN = '{"kvlistValue":{"values":[';
/** Closes either list opened above. */
export const LIST_VALUE_CLOSE = ']}}';
export const EMPTY_VALUE_JSON = '{}';

export function stringValueJson(value: string): string {
  return '{"stringValue":' + JSON.stringify(value) + '}';
}

export function boolValueJson(value: boolean): string {
  return value ? '{"boolValue":true}' : '{"boolValue":false}';
}

export function intValueJson(value: bigint): string {
  return '{"intValue":"' + value.toString() + '"}';
}

/** A double as a JSON token: shortest round-trip form, -0 kept, non-finite as proto3 JSON strings. */
export function doubleJson(value: number): string {
  if (value !== value) return '"NaN"';
  if (value === Infinity) return '"Infinity"';
  if (value === -Infinity) return '"-Infinity"';
  if (value === 0 && 1 / value < 0) return '-0';
  return String(value);
}

export function doubleValueJson(value: number): string {
  return '{"doubleValue":' + doubleJson(value) + '}';
}

/** `base64` must already be canonical (standard alphabet, padded). */
export function bytesValueJson(base64: string): string {
  return '{"bytesValue":"' + base64 + '"}';
}

/** One kvlist entry; `valueJson` is a canonical value. */
export function keyValueJson(key: string, valueJson: string): string {
  return '{"key":' + JSON.stringify(key) + ',"value":' + valueJson + '}';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Replaces lone UTF-16 surrogates with U+FFFD, which is what a string becomes
 * after a trip through UTF-8 (protobuf), so both decoders store the same text.
 */
export function wellFormedString(value: string): string {
  return ANY_SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\uFFFD') : value;
}

function fail(message: string): never {
  throw new DecodeError(`otlp-json: ${message}`);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const DECIMAL_INTEGER = /^-?[0-9]+$/;

/** An OTLP/JSON int64: a decimal string (as proto3 JSON writes it) or an integral number. */
export function int64FromJson(value: unknown): bigint {
  let v: bigint;
  if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) v = BigInt(value);
  else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value);
  else fail(`intValue ${JSON.stringify(value) ?? String(value)} is not an integer`);
  if (v < INT64_MIN || v > INT64_MAX) fail(`intValue ${v} is out of the int64 range`);
  return v;
}

/** An OTLP/JSON double: a number, "NaN", "Infinity", "-Infinity" or a numeric string. */
export function doubleFromJson(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    const v = value.trim() === '' ? NaN : Number(value);
    if (v === v) return v;
  }
  return fail(`doubleValue ${JSON.stringify(value) ?? String(value)} is not a number`);
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** OTLP/JSON bytes (base64, standard or URL-safe, padding optional) in canonical base64. */
export function base64FromJson(value: unknown): string {
  if (typeof value !== 'string' || !BASE64.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
    fail(`bytesValue ${JSON.stringify(value) ?? String(value)} is not base64`);
  }
  return Buffer.from(value, 'base64').toString('base64');
}

// proto3 JSON parsers accept both the lowerCamelCase and the original field names.
const VALUE_FIELDS = [
  ['stringValue', 'string_value'],
  ['boolValue', 'bool_value'],
  ['intValue', 'int_value'],
  ['doubleValue', 'double_value'],
  ['arrayValue', 'array_value'],
  ['kvlistValue', 'kvlist_value'],
  ['bytesValue', 'bytes_value'],
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listValues(list: unknown, name: string): readonly unknown[] {
  if (!isObject(list)) fail(`${name} must be an object`);
  const values = list['values'];
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) fail(`${name}.values must be an array`);
  return values;
}

function valueJson(value: unknown, depth: number): string {
  if (value === null || value === undefined) return EMPTY_VALUE_JSON;
  if (depth > MAX_ANY_VALUE_DEPTH) fail(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  if (!isObject(value)) fail(`AnyValue must be an object, got ${Array.isArray(value) ? 'array' : typeof value}`);
  let found: string | undefined;
  let out = EMPTY_VALUE_JSON;
  for (const [camel, snake] of VALUE_FIELDS) {
    let v = value[camel];
    if (v === undefined || v === null) v = value[snake];
    if (v === undefined || v === null) continue;
    if (found !== undefined) fail(`AnyValue sets both ${found} and ${camel}`);
    found = camel;
    out = fieldJson(camel, v, depth);
  }
  return out;
}

function fieldJson(field: (typeof VALUE_FIELDS)[number][0], v: unknown, depth: number): string {
  switch (field) {
    case 'stringValue':
      if (typeof v !== 'string') fail('stringValue must be a string');
      return stringValueJson(wellFormedString(v));
    case 'boolValue':
      if (typeof v !== 'boolean') fail('boolValue must be true or false');
      return boolValueJson(v);
    case 'intValue':
      return intValueJson(int64FromJson(v));
    case 'doubleValue':
      return doubleValueJson(doubleFromJson(v));
    case 'bytesValue':
      return bytesValueJson(base64FromJson(v));
    case 'arrayValue':
      return arrayJson(v, depth + 1);
    case 'kvlistValue':
      return kvlistJson(v, depth + 1);
  }
}

function arrayJson(list: unknown, depth: number): string {
  let out = ARRAY_VALUE_OPEN;
  const values = listValues(list, 'arrayValue');
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += valueJson(values[i], depth);
  }
  return out + LIST_VALUE_CLOSE;
}

function kvlistJson(list: unknown, depth: number): string {
  let out = KVLIST_VALUE_OPEN;
  const values = listValues(list, 'kvlistValue');
  for (let i = 0; i < values.length; i++) {
    const kv = values[i];
    if (!isObject(kv)) fail('kvlistValue.values entries must be objects');
    const key = kv['key'] ?? '';
    if (typeof key !== 'string') fail('kvlistValue key must be a string');
    if (i > 0) out += ',';
    out += keyValueJson(wellFormedString(key), valueJson(kv['value'], depth));
  }
  return out + LIST_VALUE_CLOSE;
}

/**
 * Canonical text of an already-parsed OTLP/JSON AnyValue (any kind, though the
 * decoders call it for arrays and kvlists). Accepts the looser forms proto3 JSON
 * allows (intValue as number, doubleValue as string, URL-safe base64,
 * snake_case names, null for unset) and throws DecodeError on wrong shapes.
 */
export function canonicalAnyValueJson(value: unknown): string {
  return valueJson(value, 1);
}
