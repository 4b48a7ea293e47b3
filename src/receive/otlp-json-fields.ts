// Readers for the scalar fields of OTLP/JSON (the protobuf JSON mapping with
// the OTLP exceptions), each checking the shape and returning the proto
// default for a missing or null field. A wrong shape throws JsonShapeError,
// which collects the JSON path as it unwinds; the decoder turns it into one
// DecodeError line at the top.

export type JsonObject = { readonly [key: string]: unknown };

/** A wrong shape at `path` (innermost segment first until `pathText()`). */
export class JsonShapeError extends Error {
  readonly reversedPath: string[] = [];
  constructor(readonly detail: string, leaf?: string) {
    super(detail);
    if (leaf !== undefined) this.reversedPath.push(leaf);
  }

  /** e.g. `resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano` */
  pathText(): string {
    let s = '';
    for (let i = this.reversedPath.length - 1; i >= 0; i--) {
      if (s !== '') s += '.';
      s += this.reversedPath[i];
    }
    return s;
  }
}

/** Adds `segment` (the next one outwards) to the path of `e` when it is a shape error. */
export function addPathSegment(e: unknown, segment: string): void {
  if (e instanceof JsonShapeError) e.reversedPath.push(segment);
}

/** Rethrows `e`, adding `segment` to its path when it is a shape error. */
export function within(e: unknown, segment: string): never {
  addPathSegment(e, segment);
  throw e;
}

/** The value for a field, by its JSON name or, failing that, its proto (snake_case) name. */
export function fieldOf(o: JsonObject, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v !== undefined || snake === undefined ? v : o[snake];
}

/** The key a field was given under, for error paths. */
export function keyUsed(o: JsonObject, camel: string, snake?: string): string {
  return o[camel] !== undefined || snake === undefined ? camel : snake;
}

const MAX_SHOWN_CHARS = 64;

/** A short rendering of a bad value for an error message. */
export function describe(v: unknown): string {
  if (typeof v === 'string') {
    const shown = v.length > MAX_SHOWN_CHARS ? `${v.slice(0, MAX_SHOWN_CHARS)}…` : v;
    return JSON.stringify(shown);
  }
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return String(v);
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` as an object (an array element that must be a message). */
export function expectObject(v: unknown): JsonObject {
  if (isObject(v)) return v;
  throw new JsonShapeError(`expected object, got ${describe(v)}`);
}

/** An optional message field: undefined when missing or null. */
export function readObject(o: JsonObject, camel: string, snake?: string): JsonObject | undefined {
  const v = fieldOf(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (isObject(v)) return v;
  throw new JsonShapeError(`expected object, got ${describe(v)}`, keyUsed(o, camel, snake));
}

const NO_ELEMENTS: readonly unknown[] = [];

/** A repeated field: [] when missing or null. */
export function readArray(o: JsonObject, camel: string, snake?: string): readonly unknown[] {
  const v = fieldOf(o, camel, snake);
  if (v === undefined || v === null) return NO_ELEMENTS;
  if (Array.isArray(v)) return v;
  throw new JsonShapeError(`expected array, got ${describe(v)}`, keyUsed(o, camel, snake));
}

export function readString(o: JsonObject, camel: string, snake?: string): string {
  const v = fieldOf(o, camel, snake);
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw new JsonShapeError(`expected string, got ${describe(v)}`, keyUsed(o, camel, snake));
}

const UINT32_MAX = 0xffffffff;
const DIGITS = /^[0-9]+$/;
const SIGNED_DIGITS = /^-?[0-9]+$/;

/** uint32 / fixed32: a JSON number or a decimal string. */
export function readUint32(o: JsonObject, camel: string, snake?: string): number {
  const v = fieldOf(o, camel, snake);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= UINT32_MAX) return v;
  } else if (typeof v === 'string') {
    if (DIGITS.test(v) && Number(v) <= UINT32_MAX) return Number(v);
  } else if (v === undefined || v === null) {
    return 0;
  }
  throw new JsonShapeError(`expected uint32, got ${describe(v)}`, keyUsed(o, camel, snake));
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * fixed64 nanoseconds: a decimal string or a JSON number. Stored with the same
 * bits in a signed BigInt64Array, as a protobuf decoder would.
 */
export function readFixed64(o: JsonObject, camel: string, snake?: string): bigint {
  const v = fieldOf(o, camel, snake);
  if (v === undefined || v === null) return 0n;
  const n = integerOf(v, keyUsed(o, camel, snake));
  if (n < 0n || n > UINT64_MAX) {
    throw new JsonShapeError(`integer out of fixed64 range: ${describe(v)}`, keyUsed(o, camel, snake));
  }
  return BigInt.asIntN(64, n);
}

/** AnyValue.intValue (int64): a decimal string or a JSON number, exact over the full range. */
export function int64Of(v: unknown, key: string): bigint {
  const n = integerOf(v, key);
  if (n < INT64_MIN || n > INT64_MAX) throw new JsonShapeError(`integer out of int64 range: ${describe(v)}`, key);
  return n;
}

/**
 * An integer JSON number beyond 2^53, which JSON.parse may have rounded. The
 * decoder catches it once and decodes again from text whose long integer
 * literals were quoted (those then arrive here as exact strings); if it comes
 * back, the literal was in exponent or fraction form and is refused.
 */
export class InexactIntegerError extends JsonShapeError {}

function integerOf(v: unknown, key: string): bigint {
  if (typeof v === 'string') {
    if (SIGNED_DIGITS.test(v)) return BigInt(v);
    throw new JsonShapeError(`expected integer string, got ${describe(v)}`, key);
  }
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (Number.isSafeInteger(v)) return BigInt(v);
    throw new InexactIntegerError(`integer beyond 2^53 not written as plain digits or a string, got ${v}`, key);
  }
  throw new JsonShapeError(`expected integer, got ${describe(v)}`, key);
}

const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** AnyValue.doubleValue: a JSON number, "NaN", "Infinity", "-Infinity" or a numeric string. */
export function doubleOf(v: unknown, key: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (JSON_NUMBER.test(v)) return Number(v);
  }
  throw new JsonShapeError(`expected double, got ${describe(v)}`, key);
}

export function boolOf(v: unknown, key: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new JsonShapeError(`expected boolean, got ${describe(v)}`, key);
}

export function stringOf(v: unknown, key: string): string {
  if (typeof v === 'string') return v;
  throw new JsonShapeError(`expected string, got ${describe(v)}`, key);
}

// Standard or URL-safe alphabet, padding optional (the protobuf JSON mapping accepts both).
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** AnyValue.bytesValue, re-encoded as standard padded base64 (the stored form). */
export function base64Of(v: unknown, key: string): string {
  if (typeof v === 'string' && BASE64.test(v)) {
    const padding = v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0;
    const dataChars = v.length - padding;
    if (dataChars % 4 !== 1 && (padding === 0 || v.length % 4 === 0)) {
      return Buffer.from(v, 'base64').toString('base64');
    }
  }
  throw new JsonShapeError(`expected base64 string, got ${describe(v)}`, key);
}

/**
 * An enum given as its number or its name; `names[i]` is the name of value i,
 * and numbers outside the table are refused (the columns hold only known values).
 */
export function readEnum(
  o: JsonObject,
  camel: string,
  snake: string | undefined,
  typeName: string,
  names: readonly string[],
): number {
  const v = fieldOf(o, camel, snake);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < names.length) return v;
    throw new JsonShapeError(
      `expected ${typeName} 0..${names.length - 1} or its name, got ${describe(v)}`,
      keyUsed(o, camel, snake),
    );
  }
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
    throw new JsonShapeError(`unknown ${typeName} ${describe(v)}`, keyUsed(o, camel, snake));
  }
  if (v === undefined || v === null) return 0;
  throw new JsonShapeError(`expected ${typeName} number or name, got ${describe(v)}`, keyUsed(o, camel, snake));
}
