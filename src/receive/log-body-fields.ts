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
import { TIME_TEXT_SLOT, type FieldColumnBuilder, type FieldColumnsBuilder } from '../model/field-columns.js';
import { escapeAttributeKey, unescapeAttributeKey } from '../parts/schema.js';
import type { RecordTokensBuilder } from '../parts/log-tokens.js';
import { timeTextDigits, timeTextDigitsAt } from '../parts/log-time-text.js';

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
 * instead of a string concatenation per nesting level. It also remembers its
 * columns in the batch being decoded, by value type (no lookup by path).
 */
class FieldPath {
  readonly children = new Map<string, FieldPath>();
  /** the builder `columns` belong to */
  builder: FieldColumnsBuilder | undefined;
  columns: (FieldColumnBuilder | undefined)[] = [];
  /** the values each column had in the last batch (by slot): the next batch's columns are made that size */
  private readonly lastLengths: number[] = [];
  /**
   * The keys of the last object seen here, in order, and their paths: the
   * next record's object mostly has the same keys in the same order, found
   * by comparing keys (JSON.parse gives the same key string each time)
   * rather than by a Map lookup each.
   */
  readonly lastKeys: string[] = [];
  readonly lastChildren: FieldPath[] = [];
  constructor(readonly path: string) {}

  column(builder: FieldColumnsBuilder, type: ValueType, timeText = false): FieldColumnBuilder {
    if (this.builder !== builder) this.startBatch(builder);
    const slot = timeText ? TIME_TEXT_SLOT : type;
    return (this.columns[slot] ??= builder.column(this.path, type, timeText, this.lastLengths[slot]));
  }

  private startBatch(builder: FieldColumnsBuilder): void {
    for (let slot = 0; slot < this.columns.length; slot++) this.lastLengths[slot] = this.columns[slot]?.length ?? 0;
    this.builder = builder;
    this.columns = [];
  }
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
 * Thrown by JsonRecordFields.add when refusing rounded integers and the object
 * holds an integer beyond 2^53 as a number: JSON.parse rounded its literal, so
 * the caller reads the text again with such literals kept exact
 * (json-exact-integers.ts).
 */
export class RoundedIntegerError extends Error {
  constructor() {
    super('an integer literal beyond 2^53 was rounded');
  }
}


/**
 * Appends plain JSON objects (JSON-lines records) as the flattened fields of
 * their records, straight into the batch's columns, with the words of their
 * text hashed into `tokens` as they pass.
 */
export class JsonRecordFields {
  private record = 0;
  private timeSeconds = 0;
  private timeNanos = 0;
  private refuseRounded = true;
  private knownTimeText: string | undefined;
  private knownTimeTextDigits = -1;

  constructor(
    private readonly out: FieldColumnsBuilder,
    private readonly tokens: RecordTokensBuilder,
  ) {}

  /**
   * The leaves of `object` as fields of record `record`, whose row time is
   * `seconds` + `nanos` (nanos in [0, 10^9); seconds < 0: a time before 1970,
   * which no text field stands for). With `refuseRounded`, an integral number
   * beyond 2^53 throws RoundedIntegerError; without, it is kept as the double
   * it is. The caller ends the record in `tokens`. `timeText`, when given,
   * is a text known to be the row time's canonical text with `timeTextDigits`
   * fraction digits (the time field, read already): not read again.
   */
  add(object: { readonly [key: string]: unknown }, record: number, seconds: number, nanos: number, refuseRounded: boolean, timeText?: string, timeTextDigits = -1): void {
    this.record = record;
    this.timeSeconds = seconds;
    this.timeNanos = nanos;
    this.refuseRounded = refuseRounded;
    this.knownTimeText = timeText;
    this.knownTimeTextDigits = timeTextDigits;
    this.addObject(object, rootPath, 0);
  }

  private addObject(object: { readonly [key: string]: unknown }, parent: FieldPath, depth: number): void {
    const keys = parent.lastKeys;
    const children = parent.lastChildren;
    let k = 0;
    for (const key in object) {
      let child: FieldPath;
      if (keys[k] === key) child = children[k]!;
      else {
        child = childPath(parent, key);
        keys[k] = key;
        children[k] = child;
      }
      k++;
      this.addValue(object[key], child, depth);
    }
  }

  private addValue(v: unknown, field: FieldPath, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.addString(field, v);
        return;
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) field.column(this.out, ValueType.Int).addSafeInt(this.record, v);
        else if (this.refuseRounded && Number.isInteger(v) && !Object.is(v, -0)) throw new RoundedIntegerError();
        else field.column(this.out, ValueType.Double).addNumber(this.record, v);
        return;
      case 'boolean':
        field.column(this.out, ValueType.Bool).addNumber(this.record, v ? 1 : 0);
        return;
      case 'bigint':
        if (v >= MIN_INT64 && v <= MAX_INT64) field.column(this.out, ValueType.Int).addInt(this.record, v);
        else this.addString(field, v.toString());
        return;
      case 'object':
        if (v === null) field.column(this.out, ValueType.Empty).addEmpty(this.record);
        else if (Array.isArray(v)) {
          if (this.refuseRounded && holdsRoundedInteger(v)) throw new RoundedIntegerError();
          const json = plainJson(v);
          field.column(this.out, ValueType.Array).addString(this.record, json);
          this.tokens.addText(json);
        } else if (isEmptyObject(v)) field.column(this.out, ValueType.KvList).addString(this.record, '{}');
        else if (depth >= MAX_FLATTEN_DEPTH) {
          if (this.refuseRounded && holdsRoundedInteger(v)) throw new RoundedIntegerError();
          field.column(this.out, ValueType.KvList).addString(this.record, plainJson(v));
        } else this.addObject(v as { readonly [key: string]: unknown }, field, depth + 1);
        return;
      default:
        field.column(this.out, ValueType.Empty).addEmpty(this.record);
    }
  }

  private addString(field: FieldPath, v: string): void {
    const digits = v === this.knownTimeText ? this.knownTimeTextDigits : timeTextDigitsAt(v, this.timeSeconds, this.timeNanos);
    if (digits >= 0) field.column(this.out, ValueType.Int, true).addSafeInt(this.record, digits);
    else {
      field.column(this.out, ValueType.String).addString(this.record, v);
      this.tokens.addText(v);
    }
  }
}

/** Whether an array or object holds, at any depth, an integral number beyond 2^53 (rounded by JSON.parse). */
function holdsRoundedInteger(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isSafeInteger(v) && Number.isInteger(v);
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some(holdsRoundedInteger);
  for (const key in v) if (holdsRoundedInteger((v as Record<string, unknown>)[key])) return true;
  return false;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

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
export function flattenOtlpKvlist(canonicalJson: string, out: FieldColumnsBuilder, owner: number, timeNs: bigint): void {
  const root = JSON.parse(canonicalJson) as AnyValueJson;
  addKvlist(root['kvlistValue'] as AnyValueJson, out, owner, timeNs, '', 0);
}

function addKvlist(list: AnyValueJson, out: FieldColumnsBuilder, owner: number, timeNs: bigint, prefix: string, depth: number): void {
  const values = (list['values'] ?? []) as { key: string; value?: AnyValueJson }[];
  for (const kv of values) {
    const path = prefix === '' ? bodyPathSegment(kv.key) : `${prefix}.${bodyPathSegment(kv.key)}`;
    const v = kv.value ?? {};
    if ('kvlistValue' in v && depth < MAX_FLATTEN_DEPTH) {
      const inner = v['kvlistValue'] as AnyValueJson;
      if (((inner['values'] ?? []) as unknown[]).length === 0) out.addComplex(owner, path, ValueType.KvList, '{}');
      else addKvlist(inner, out, owner, timeNs, path, depth + 1);
    } else if ('stringValue' in v) {
      const text = v['stringValue'] as string;
      const digits = timeTextDigits(text, timeNs);
      if (digits >= 0) out.column(path, ValueType.Int, true).addSafeInt(owner, digits);
      else out.addString(owner, path, text);
    }
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
