// Structured log bodies flattened into typed, dotted fields (seed 003's
// Expand & Flatten, done once at ingest): `{"http":{"status":200}}` becomes
// the field `http.status` of type int. One field per leaf; an array is one
// field holding its plain JSON text (expanded at read time); null and empty
// objects are kept as their own typed fields so nothing is lost.
//
// Field paths are made of escaped keys joined by '.': a key escapes as an
// attribute key does (schema.ts: `^` → `^^`, `:` → `^:`, upper case → `^x`)
// and its own dots as `^.`, so `{"a.b":1}` (path `a^.b`) and
// `{"a":{"b":1}}` (path `a.b`) stay apart and every record reads back as sent.

import { ValueType } from '../model/span-batch.js';
import type { AttributeBuilder } from '../model/span-batch-builder.js';
import { escapeAttributeKey, unescapeAttributeKey } from '../parts/schema.js';

// Keys repeat from record to record: escape each once (bounded, for hostile input).
const segmentCache = new Map<string, string>();
const MAX_CACHED_SEGMENTS = 10_000;

/** One key as a path segment. */
export function bodyPathSegment(key: string): string {
  let segment = segmentCache.get(key);
  if (segment === undefined) {
    const escaped = escapeAttributeKey(key);
    segment = escaped.includes('.') ? escaped.replaceAll('.', '^.') : escaped;
    if (segmentCache.size >= MAX_CACHED_SEGMENTS) segmentCache.clear();
    segmentCache.set(key, segment);
  }
  return segment;
}

/** The keys of a path, unescaped: `a^.b.c` → ['a.b', 'c']. */
export function splitBodyPath(path: string): string[] {
  const keys: string[] = [];
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x5e /* ^ */) i++;
    else if (c === 0x2e /* . */) {
      keys.push(unescapeAttributeKey(path.slice(start, i)));
      start = i + 1;
    }
  }
  keys.push(unescapeAttributeKey(path.slice(start)));
  return keys;
}

/** Deepest object nesting flattened; deeper objects are kept whole as JSON text. */
export const MAX_FLATTEN_DEPTH = 32;

/**
 * A field path, with its children by key: records repeat their keys, so each
 * path is built (escaped, joined) once and a value costs one Map lookup
 * instead of a string concatenation per nesting level.
 */
class FieldPath {
  readonly children = new Map<string, FieldPath>();
  constructor(readonly path: string) {}
}

// Bounded for hostile input (a new key on every line): the tree starts over.
const MAX_CACHED_PATHS = 50_000;
let cachedPaths = 0;
let rootPath = new FieldPath('');

function childPath(parent: FieldPath, key: string): FieldPath {
  let child = parent.children.get(key);
  if (child === undefined) {
    if (cachedPaths >= MAX_CACHED_PATHS) {
      rootPath = new FieldPath('');
      cachedPaths = 0;
    }
    const segment = bodyPathSegment(key);
    child = new FieldPath(parent.path === '' ? segment : `${parent.path}.${segment}`);
    parent.children.set(key, child);
    cachedPaths++;
  }
  return child;
}

/**
 * Thrown by flattenJsonObject when `refuseRounded` and the object holds an integer
 * beyond 2^53 as a number: JSON.parse rounded its literal, so the caller reads
 * the text again with such literals kept exact (json-exact-integers.ts).
 */
export class RoundedIntegerError extends Error {
  constructor() {
    super('an integer literal beyond 2^53 was rounded');
  }
}

/**
 * Appends the leaves of a plain JSON object (a JSON-lines record) as fields
 * of `owner`. With `refuseRounded`, an integral number beyond 2^53 throws
 * RoundedIntegerError; without, it is kept as the double it is.
 */
export function flattenJsonObject(object: { readonly [key: string]: unknown }, out: AttributeBuilder, owner: number, refuseRounded = false): void {
  addObjectFields(object, out, owner, rootPath, 0, refuseRounded);
}

function addObjectFields(object: { readonly [key: string]: unknown }, out: AttributeBuilder, owner: number, parent: FieldPath, depth: number, refuseRounded: boolean): void {
  for (const key in object) addJsonValue(object[key], out, owner, childPath(parent, key), depth, refuseRounded);
}

function isRoundedInteger(v: number): boolean {
  return !Number.isSafeInteger(v) && Number.isInteger(v);
}

/** Whether an array or object holds, at any depth, a number isRoundedInteger. */
function holdsRoundedInteger(v: unknown): boolean {
  if (typeof v === 'number') return isRoundedInteger(v);
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some(holdsRoundedInteger);
  for (const key in v) if (holdsRoundedInteger((v as Record<string, unknown>)[key])) return true;
  return false;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

function addJsonValue(v: unknown, out: AttributeBuilder, owner: number, field: FieldPath, depth: number, refuseRounded: boolean): void {
  const path = field.path;
  switch (typeof v) {
    case 'string':
      out.addString(owner, path, v);
      return;
    case 'number':
      if (refuseRounded && isRoundedInteger(v)) throw new RoundedIntegerError();
      addJsonNumber(out, owner, path, v);
      return;
    case 'boolean':
      out.addBool(owner, path, v);
      return;
    case 'bigint':
      addJsonNumber(out, owner, path, v);
      return;
    case 'object':
      if (v === null) out.addEmpty(owner, path);
      else if (Array.isArray(v) || isEmptyObject(v) || depth >= MAX_FLATTEN_DEPTH) {
        if (refuseRounded && holdsRoundedInteger(v)) throw new RoundedIntegerError();
        out.addComplex(owner, path, Array.isArray(v) ? ValueType.Array : ValueType.KvList, plainJson(v));
      } else addObjectFields(v as { readonly [key: string]: unknown }, out, owner, field, depth + 1, refuseRounded);
      return;
    default:
      out.addEmpty(owner, path);
  }
}

/**
 * A JSON number as its field: an integer (by value: `2.0` too) within 2^53 as
 * int, other numbers as double; an exact integer literal beyond 2^53 (a
 * bigint, json-lines-decode.ts) as int, or its digits as text beyond int64.
 */
function addJsonNumber(out: AttributeBuilder, owner: number, path: string, v: number | bigint): void {
  if (typeof v === 'bigint') {
    if (v >= MIN_INT64 && v <= MAX_INT64) out.addInt(owner, path, v);
    else out.addString(owner, path, v.toString());
  } else if (Number.isSafeInteger(v) && !Object.is(v, -0)) out.addInt(owner, path, BigInt(v));
  else out.addDouble(owner, path, v);
}

function isEmptyObject(v: object): boolean {
  for (const _ in v) return false;
  return true;
}

/** JSON text of a plain value; bigints (exact large integers) as bare numbers. */
export function plainJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    // a bigint (an exact large integer): only then the slower way that writes them
    if (!(e instanceof TypeError)) throw e;
  }
  return JSON.stringify(v, (_key, x: unknown) => (typeof x === 'bigint' ? RAW_INT_MARK + x.toString() + RAW_INT_MARK : x)).replace(RAW_INT_PATTERN, '$1');
}
const RAW_INT_MARK = '\u0000int\u0000';
const RAW_INT_PATTERN = /"\\u0000int\\u0000(-?\d+)\\u0000int\\u0000"/g;

// ---- OTLP kvlist bodies ----------------------------------------------------

type AnyValueJson = { readonly [member: string]: unknown };

/**
 * Appends the fields of a kvlist body, given as its canonical OTLP JSON
 * (`{"kvlistValue":{"values":[…]}}`, any-value-json.ts), to `owner`.
 * Nested kvlists flatten; arrays become plain JSON text.
 */
export function flattenOtlpKvlist(canonicalJson: string, out: AttributeBuilder, owner: number): void {
  const root = JSON.parse(canonicalJson) as AnyValueJson;
  addKvlist(root['kvlistValue'] as AnyValueJson, out, owner, '', 0);
}

function addKvlist(list: AnyValueJson, out: AttributeBuilder, owner: number, prefix: string, depth: number): void {
  const values = (list['values'] ?? []) as { key: string; value?: AnyValueJson }[];
  for (const kv of values) {
    const path = prefix === '' ? bodyPathSegment(kv.key) : `${prefix}.${bodyPathSegment(kv.key)}`;
    const v = kv.value ?? {};
    if ('kvlistValue' in v && depth < MAX_FLATTEN_DEPTH) {
      const inner = v['kvlistValue'] as AnyValueJson;
      if (((inner['values'] ?? []) as unknown[]).length === 0) out.addComplex(owner, path, ValueType.KvList, '{}');
      else addKvlist(inner, out, owner, path, depth + 1);
    } else if ('stringValue' in v) out.addString(owner, path, v['stringValue'] as string);
    else if ('intValue' in v) out.addInt(owner, path, BigInt(v['intValue'] as string));
    else if ('doubleValue' in v) out.addDouble(owner, path, Number(v['doubleValue']));
    else if ('boolValue' in v) out.addBool(owner, path, v['boolValue'] as boolean);
    else if ('bytesValue' in v) out.addBytes(owner, path, v['bytesValue'] as string);
    else if ('arrayValue' in v || 'kvlistValue' in v) {
      const plain = anyValuePlain(v);
      out.addComplex(owner, path, Array.isArray(plain) ? ValueType.Array : ValueType.KvList, plainJson(plain));
    } else out.addEmpty(owner, path);
  }
}

/**
 * An OTLP AnyValue (canonical JSON form, parsed) as a plain JSON value:
 * int64 as a number (a bigint beyond 2^53), bytes as base64 text,
 * non-finite doubles as their names, kvlists as objects (the last of a
 * repeated key wins), empty as null.
 */
export function anyValuePlain(v: AnyValueJson): unknown {
  if ('stringValue' in v) return v['stringValue'];
  if ('intValue' in v) {
    const n = BigInt(v['intValue'] as string);
    return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
  }
  if ('doubleValue' in v) return v['doubleValue'];
  if ('boolValue' in v) return v['boolValue'];
  if ('bytesValue' in v) return v['bytesValue'];
  if ('arrayValue' in v) return (((v['arrayValue'] as AnyValueJson)['values'] ?? []) as AnyValueJson[]).map(anyValuePlain);
  if ('kvlistValue' in v) {
    const o: Record<string, unknown> = {};
    for (const kv of ((v['kvlistValue'] as AnyValueJson)['values'] ?? []) as { key: string; value?: AnyValueJson }[]) o[kv.key] = anyValuePlain(kv.value ?? {});
    return o;
  }
  return null;
}
