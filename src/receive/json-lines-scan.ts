// One JSON-lines record read straight from the text into typed, flattened
// fields (log-body-fields.ts), with no object per record: JSON.parse would
// build each record as objects only for the flattening to walk and drop them,
// and that object graph cost more than the scan. Keys are matched in the text
// against the key that came next last time (records of a stream share their
// shape), so a known key costs a compare, not a string; values become strings
// and numbers directly; arrays (kept as JSON text) go through JSON.parse.
//
// The scanner takes the common case only. It refuses — and the caller reads
// the line with JSON.parse, which also words the errors — a line that is not
// one well-formed JSON object, a key repeated within a record (JSON.parse
// keeps the last), objects nested deeper than MAX_FLATTEN_DEPTH, and arrays
// holding integers beyond 2^53. What it accepts yields the same fields, in
// the same types, as JSON.parse and flattenJsonObject would.

import { ValueType } from '../model/span-batch.js';
import type { AttributeBuilder } from '../model/span-batch-builder.js';
import { MAX_FLATTEN_DEPTH, addJsonNumber, childPath, holdsRoundedInteger, plainJson, rootFieldPath, type FieldPath } from './log-body-fields.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;

/** JsonLineScanner.timeRow / severityRow when the record has no such field. */
export const ABSENT = -1;
/** … when the field holds an object. */
export const NOT_A_LEAF = -2;

/** Digits an integer may have and still be summed exactly in a double (< 2^53). */
const EXACT_SUM_DIGITS = 15;

/** Reads JSON-lines records into an AttributeBuilder; one per decode (it keeps per-line state). */
export class JsonLineScanner {
  private text = '';
  private pos = 0;
  private end = 0;
  private out: AttributeBuilder | undefined;
  private owner = 0;
  private static scans = 0;
  private stamp = 0;
  /** set by stringEnd: the string just scanned holds an escape */
  private escaped = false;
  /** builder rows of the record's top-level time and severity fields; ABSENT, or NOT_A_LEAF for an object */
  timeRow = ABSENT;
  severityRow = ABSENT;

  private readonly timeField: string | undefined;
  private readonly severityField: string | undefined;

  /** The top-level fields holding the time and the severity; '' = none (not the key ""). */
  constructor(timeField: string, severityField: string) {
    this.timeField = timeField === '' ? undefined : timeField;
    this.severityField = severityField === '' ? undefined : severityField;
  }

  /**
   * Appends the fields of the object in text[start, end) to `out` for
   * `owner`; false when the scanner does not take the line (rows it already
   * appended are for the caller to roll back).
   */
  scan(text: string, start: number, end: number, out: AttributeBuilder, owner: number): boolean {
    this.text = text;
    this.pos = start;
    this.end = end;
    this.out = out;
    this.owner = owner;
    this.stamp = ++JsonLineScanner.scans;
    this.timeRow = ABSENT;
    this.severityRow = ABSENT;
    this.skipSpace();
    if (this.pos >= end || text.charCodeAt(this.pos) !== LBRACE || !this.object(rootFieldPath(), 0)) return false;
    this.skipSpace();
    return this.pos === end;
  }

  private skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    while (pos < this.end) {
      const c = text.charCodeAt(pos);
      if (c !== SPACE && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
      pos++;
    }
    this.pos = pos;
  }

  /** At '{': its members as fields under `parent`. */
  private object(parent: FieldPath, depth: number): boolean {
    const text = this.text;
    this.pos++;
    this.skipSpace();
    if (text.charCodeAt(this.pos) === RBRACE) {
      this.pos++;
      return true;
    }
    let previous: FieldPath | undefined;
    for (;;) {
      if (this.pos >= this.end || text.charCodeAt(this.pos) !== QUOTE) return false;
      const field = this.key(parent, previous);
      if (field === undefined || field.stamp === this.stamp) return false;
      field.stamp = this.stamp;
      this.skipSpace();
      if (text.charCodeAt(this.pos) !== COLON) return false;
      this.pos++;
      this.skipSpace();
      if (field.top) {
        // the row the value is about to get; an object's rows are its nested fields, not a time or severity
        const row = text.charCodeAt(this.pos) === LBRACE ? NOT_A_LEAF : this.out!.length;
        if (field.key === this.timeField) this.timeRow = row;
        else if (field.key === this.severityField) this.severityRow = row;
      }
      if (this.pos >= this.end || !this.value(field, depth)) return false;
      previous = field;
      this.skipSpace();
      const c = text.charCodeAt(this.pos++);
      if (c === RBRACE) return true;
      if (c !== COMMA || this.pos > this.end) return false;
      this.skipSpace();
    }
  }

  /** At a key's opening quote: its path, learning the key order of `parent`'s objects. */
  private key(parent: FieldPath, previous: FieldPath | undefined): FieldPath | undefined {
    const text = this.text;
    const start = this.pos + 1;
    const predicted = previous === undefined ? parent.firstChild : previous.nextSibling;
    if (predicted !== undefined && predicted.plainKey && text.startsWith(predicted.key, start)) {
      const close = start + predicted.key.length;
      if (close < this.end && text.charCodeAt(close) === QUOTE) {
        this.pos = close + 1;
        return predicted;
      }
    }
    const key = this.string();
    if (key === undefined) return undefined;
    const field = childPath(parent, key);
    if (previous === undefined) parent.firstChild = field;
    else previous.nextSibling = field;
    return field;
  }

  /** At an opening quote: the string, or undefined when it is not a valid JSON string. */
  private string(): string | undefined {
    const start = this.pos + 1;
    const close = this.stringEnd(start);
    if (close < 0) return undefined;
    this.pos = close + 1;
    if (!this.escaped) return this.text.slice(start, close);
    try {
      return JSON.parse(this.text.slice(start - 1, close + 1)) as string;
    } catch {
      return undefined;
    }
  }

  /** Index of the quote closing the string that starts at `i`; -1 when it is not closed or holds a control character. */
  private stringEnd(i: number): number {
    const text = this.text;
    const end = this.end;
    this.escaped = false;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) return i;
      if (c === BACKSLASH) {
        this.escaped = true;
        i += 2;
      } else if (c < SPACE) return -1;
      else i++;
    }
    return -1;
  }

  private value(field: FieldPath, depth: number): boolean {
    const text = this.text;
    const out = this.out!;
    const c = text.charCodeAt(this.pos);
    if (c === QUOTE) {
      const s = this.string();
      if (s === undefined) return false;
      out.addString(this.owner, field.path, s);
      return true;
    }
    if (c === LBRACE) {
      if (depth >= MAX_FLATTEN_DEPTH) return false;
      const open = this.pos;
      this.pos++;
      this.skipSpace();
      if (text.charCodeAt(this.pos) === RBRACE) {
        this.pos++;
        out.addComplex(this.owner, field.path, ValueType.KvList, '{}');
        return true;
      }
      this.pos = open;
      return this.object(field, depth + 1);
    }
    if (c === LBRACKET) return this.array(field);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number(field);
    if (text.startsWith('true', this.pos)) {
      this.pos += 4;
      out.addBool(this.owner, field.path, true);
    } else if (text.startsWith('false', this.pos)) {
      this.pos += 5;
      out.addBool(this.owner, field.path, false);
    } else if (text.startsWith('null', this.pos)) {
      this.pos += 4;
      out.addEmpty(this.owner, field.path);
    } else return false;
    return this.pos <= this.end;
  }

  /** A JSON number, by the JSON grammar; integers of up to 15 digits summed as they are read. */
  private number(field: FieldPath): boolean {
    const text = this.text;
    const start = this.pos;
    let i = start;
    const negative = text.charCodeAt(i) === MINUS;
    if (negative) i++;
    const firstDigit = i;
    let sum = 0;
    let c = text.charCodeAt(i);
    if (c === ZERO) i++;
    else if (c > ZERO && c <= NINE) {
      do {
        sum = sum * 10 + (c - ZERO);
        c = text.charCodeAt(++i);
      } while (c >= ZERO && c <= NINE);
    } else return false;
    const digits = i - firstDigit;
    let integer = true;
    if (text.charCodeAt(i) === DOT) {
      integer = false;
      if (!isDigit(text.charCodeAt(++i))) return false;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) {
      integer = false;
      c = text.charCodeAt(++i);
      if (c === PLUS || c === MINUS) i++;
      if (!isDigit(text.charCodeAt(i))) return false;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    if (i > this.end) return false;
    this.pos = i;
    let v: number | bigint;
    if (integer && digits <= EXACT_SUM_DIGITS) v = negative ? -sum : sum;
    else {
      v = Number(text.slice(start, i));
      // an integer literal beyond 2^53: exact, not the double nearest to it
      if (integer && !Number.isSafeInteger(v)) v = BigInt(text.slice(start, i));
    }
    addJsonNumber(this.out!, this.owner, field.path, v);
    return true;
  }

  /** An array, kept as its plain JSON text (as flattenJsonObject keeps it). */
  private array(field: FieldPath): boolean {
    const text = this.text;
    const start = this.pos;
    let depth = 0;
    let i = start;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = this.stringEnd(i + 1);
        if (i < 0) return false;
      } else if (c === LBRACKET || c === LBRACE) depth++;
      else if (c === RBRACKET || c === RBRACE) {
        if (--depth === 0) break;
      }
      i++;
    }
    if (i >= this.end) return false;
    let v: unknown;
    try {
      v = JSON.parse(text.slice(start, i + 1));
    } catch {
      return false;
    }
    if (!Array.isArray(v) || holdsRoundedInteger(v)) return false;
    this.pos = i + 1;
    this.out!.addComplex(this.owner, field.path, ValueType.Array, plainJson(v));
    return true;
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}
