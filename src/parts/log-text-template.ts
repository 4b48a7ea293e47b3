// Text columns of log parts as template + numbers (CLP's split): a message
// like `order 4711 created with 3 items` is stored as the template
// `order \x110 created with \x111 items` (a dictionary column: a few hundred
// distinct templates; U+0011 and the digit k stand for number k) and its
// numbers as int32 columns, one per position (`…::template.0`,
// `…::template.1`, …). The numbers as numbers compress to about half of
// their digits as text (docs/storage.md, "Log parts"). Readers rebuild the
// text by replacing each placeholder with its number's decimal text
// (DuckDB `replace`, ClickHouse `replaceAll`: a template varies per row, and
// ClickHouse's `format` takes only a constant pattern);
// docs/format/log-text-template.md has the rules.
//
// A number is taken out only when it is a whole word of full-text search — a
// run of ASCII digits with no letter, digit, `_` or non-ASCII byte on either
// side — and written canonically (no leading zero, below 2^31), so the
// rebuilt text is byte for byte the original, and every word of the text is
// either whole in the template or exactly one number (log search's cheap
// tests rely on that: src/query/logs/log-sql.ts). A part whose column holds
// U+0011 anywhere keeps that column as text.

import type { ParquetColumn } from './parquet/columns.js';
import { splitTypedColumnName } from './schema.js';
import { ValueType } from '../model/span-batch.js';

/** Suffix of the template column of a text column stored as template + numbers. */
export const TEMPLATE_SUFFIX = '::template';
/** Numbers taken out of one value at most; later ones stay in its template. */
export const MAX_TEMPLATE_NUMBERS = 8;
/** The byte before a placeholder's digit (U+0011, DC1: not found in log text; a column holding it stays text). */
export const PLACEHOLDER_BYTE = 0x11;
/**
 * Larger numbers stay text: numbers are INT32 (in every part, so merges
 * concatenate their chunks), which the flush encodes at about half the CPU
 * of INT64 (no delta trial, half the bytes to compress).
 */
export const MAX_TEMPLATE_NUMBER = 0x7fffffff;
const MAX_NUMBER_DIGITS = 10;

type StringEntriesColumn = Extract<ParquetColumn, { kind: 'string-entries' }>;
type Int32Column = Extract<ParquetColumn, { kind: 'int32' }>;

/** The column of number `k` of `column`'s templates. */
export function templateNumberColumn(column: string, k: number): string {
  return `${column}${TEMPLATE_SUFFIX}.${k}`;
}

/**
 * The text column a stored column is part of (`body.msg::template` and
 * `body.msg::template.3` → `body.msg`); undefined for any other column.
 */
export function templatedColumnOf(stored: string): string | undefined {
  const at = stored.lastIndexOf(TEMPLATE_SUFFIX);
  if (at <= 0) return undefined;
  const rest = stored.length - at - TEMPLATE_SUFFIX.length;
  if (rest === 0) return stored.slice(0, at);
  return /^\.\d+$/.test(stored.slice(at + TEMPLATE_SUFFIX.length)) ? stored.slice(0, at) : undefined;
}

/** Whether the flush tries templates on a column: string and array-as-JSON bodies and body fields. */
export function isTemplateCandidate(column: string): boolean {
  const { base, type } = splitTypedColumnName(column);
  if (base !== 'body' && !base.startsWith('body.')) return false;
  return type === ValueType.String || (type === ValueType.Array && base !== 'body');
}

export interface TemplatedText {
  template: StringEntriesColumn;
  /** number k of each row's value (null where its template has fewer) */
  numbers: Int32Column[];
}

/** A byte of a word of full-text search: ASCII letter, digit, `_`, or any byte of a non-ASCII character. */
function isWordByte(b: number): boolean {
  return b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
}

/**
 * `column` as templates and numbers, row for row; undefined when no value
 * holds a number, or one holds PLACEHOLDER_BYTE. Each distinct entry is split once (the flush's entries are
 * distinct: sorted-run.ts), the rows then copy their entry's split.
 */
export function templateTextColumn(column: StringEntriesColumn): TemplatedText | undefined {
  const { entries, entryStarts, indices, nulls } = column;
  const rows = indices.length;
  const entryCount = entryStarts.length - 1;
  const templateOf = new Int32Array(entryCount).fill(-1);
  const numbersAt = new Uint32Array(entryCount);
  const numberCount = new Uint8Array(entryCount);
  let numbers = new Int32Array(Math.max(64, rows * 2));
  let numbersUsed = 0;
  // templates by an FNV-1a hash of their bytes (open addressing; no string per entry)
  let slots = new Int32Array(1024).fill(-1);
  let hashes = new Int32Array(256);
  let templateCount = 0;
  let out = new Uint8Array(4096);
  let outLength = 0;
  let templateStarts = new Uint32Array(257);
  let scratch = new Uint8Array(256);
  let mostNumbers = 0;
  let placeholderInText = false;

  const templateRows = new Uint32Array(rows);
  const templateNulls = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    if (nulls !== undefined && nulls[r] !== 0) {
      templateNulls[r] = 1;
      continue;
    }
    const e = indices[r]!;
    if (templateOf[e]! >= 0) {
      templateRows[r] = templateOf[e]!;
      continue;
    }
    // the entry's first row: split it (inline, not a closure: this loop is the flush's hot one)
    const from = entryStarts[e]! + 4;
    const to = entryStarts[e + 1]!;
    const need = to - from + 2 * MAX_TEMPLATE_NUMBERS;
    if (scratch.length < need) scratch = new Uint8Array(need * 2);
    if (numbers.length < numbersUsed + MAX_TEMPLATE_NUMBERS) {
      const grown = new Int32Array(numbers.length * 2);
      grown.set(numbers);
      numbers = grown;
    }
    numbersAt[e] = numbersUsed;
    let n = 0;
    let o = 0;
    for (let i = from; i < to; ) {
      const b = entries[i]!;
      if (b >= 0x30 && b <= 0x39 && (i === from || !isWordByte(entries[i - 1]!))) {
        let j = i + 1;
        while (j < to && entries[j]! >= 0x30 && entries[j]! <= 0x39) j++;
        const digits = j - i;
        let value = -1;
        if (n < MAX_TEMPLATE_NUMBERS && digits <= MAX_NUMBER_DIGITS && (digits === 1 || b !== 0x30) && (j === to || !isWordByte(entries[j]!))) {
          value = 0;
          for (let d = i; d < j; d++) value = value * 10 + (entries[d]! - 0x30);
        }
        if (value >= 0 && value <= MAX_TEMPLATE_NUMBER) {
          numbers[numbersUsed + n] = value;
          scratch[o++] = PLACEHOLDER_BYTE;
          scratch[o++] = 0x30 + n;
          n++;
        } else {
          for (let d = i; d < j; d++) scratch[o++] = entries[d]!;
        }
        i = j;
        continue;
      }
      if (b === PLACEHOLDER_BYTE) placeholderInText = true;
      scratch[o++] = b;
      i++;
    }
    numbersUsed += n;
    numberCount[e] = n;
    if (n > mostNumbers) mostNumbers = n;
    let hash = 0x811c9dc5;
    for (let b = 0; b < o; b++) hash = Math.imul(hash ^ scratch[b]!, 0x01000193);
    let mask = slots.length - 1;
    let slot = hash & mask;
    let id = -1;
    for (let other = slots[slot]!; other >= 0; slot = (slot + 1) & mask, other = slots[slot]!) {
      if (hashes[other] === hash && sameBytes(out, templateStarts[other]! + 4, templateStarts[other + 1]!, scratch, o)) {
        id = other;
        break;
      }
    }
    if (id < 0) {
      id = templateCount++;
      if (templateCount * 2 > slots.length) {
        slots = rehashed(hashes, templateCount - 1, slots.length * 2);
        mask = slots.length - 1;
        slot = hash & mask;
        while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      }
      slots[slot] = id;
      if (templateCount + 1 > hashes.length) {
        hashes = grownInt32(hashes, hashes.length * 2);
        templateStarts = grownUint32(templateStarts, templateStarts.length * 2);
      }
      hashes[id] = hash;
      if (out.length < outLength + 4 + o) {
        const grown = new Uint8Array(Math.max(out.length * 2, outLength + 4 + o));
        grown.set(out.subarray(0, outLength));
        out = grown;
      }
      out[outLength] = o;
      out[outLength + 1] = o >>> 8;
      out[outLength + 2] = o >>> 16;
      out[outLength + 3] = o >>> 24;
      out.set(scratch.subarray(0, o), outLength + 4);
      outLength += 4 + o;
      templateStarts[id + 1] = outLength;
    }
    templateOf[e] = id;
    templateRows[r] = id;
  }
  if (mostNumbers === 0 || placeholderInText) return undefined;
  const numberValues = Array.from({ length: mostNumbers }, () => new Int32Array(rows));
  const numberNulls = Array.from({ length: mostNumbers }, () => new Uint8Array(rows).fill(1));
  for (let r = 0; r < rows; r++) {
    if (templateNulls[r] !== 0) continue;
    const e = indices[r]!;
    const at = numbersAt[e]!;
    for (let k = 0, n = numberCount[e]!; k < n; k++) {
      numberValues[k]![r] = numbers[at + k]!;
      numberNulls[k]![r] = 0;
    }
  }
  const numberColumns: Int32Column[] = numberValues.map((values, k) => ({ name: templateNumberColumn(column.name, k), kind: 'int32', values, nulls: numberNulls[k]! }));
  return {
    template: {
      name: `${column.name}${TEMPLATE_SUFFIX}`,
      kind: 'string-entries',
      entries: out.subarray(0, outLength),
      entryStarts: templateStarts.slice(0, templateCount + 1),
      indices: templateRows,
      nulls: templateNulls,
      distinctEntries: true,
    },
    numbers: numberColumns,
  };
}

function sameBytes(a: Uint8Array, from: number, to: number, b: Uint8Array, length: number): boolean {
  if (to - from !== length) return false;
  for (let i = 0; i < length; i++) if (a[from + i] !== b[i]) return false;
  return true;
}

/** A table of `capacity` slots holding ids 0..count-1 by their hashes. */
function rehashed(hashes: Int32Array, count: number, capacity: number): Int32Array<ArrayBuffer> {
  const slots = new Int32Array(capacity).fill(-1);
  const mask = capacity - 1;
  for (let id = 0; id < count; id++) {
    let slot = hashes[id]! & mask;
    while (slots[slot]! >= 0) slot = (slot + 1) & mask;
    slots[slot] = id;
  }
  return slots;
}

function grownInt32(a: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(length);
  grown.set(a);
  return grown;
}

function grownUint32(a: Uint32Array, length: number): Uint32Array<ArrayBuffer> {
  const grown = new Uint32Array(length);
  grown.set(a);
  return grown;
}

/**
 * The SQL expression (DuckDB) of the text of `column` where `columns` (one
 * file's, or a union's) hold it as template + numbers, else undefined. Where
 * a merge joined a part holding the text with one holding templates, the
 * text where there is one.
 */
export function templateRebuildSql(column: string, columns: ReadonlySet<string>, ident: (c: string) => string): string | undefined {
  const template = `${column}${TEMPLATE_SUFFIX}`;
  if (!columns.has(template)) return undefined;
  let rebuilt = ident(template);
  // replace() gives NULL when the replacement is: a number a template does not name is ''
  for (let k = 0; columns.has(templateNumberColumn(column, k)); k++) {
    rebuilt = `replace(${rebuilt}, chr(${PLACEHOLDER_BYTE}) || '${k}', coalesce(CAST(${ident(templateNumberColumn(column, k))} AS VARCHAR), ''))`;
  }
  return columns.has(column) ? `coalesce(${ident(column)}, ${rebuilt})` : rebuilt;
}

/**
 * templateRebuildSql's text in this process, for a row read without DuckDB:
 * each placeholder k, in turn, replaced by `numberAt(k)` (null: ''), those
 * of numbers the file has no column for (`undefined`) left as they are.
 */
export function rebuildTemplate(template: string, numberAt: (k: number) => number | null | undefined): string {
  let text = template;
  for (let k = 0; ; k++) {
    const n = numberAt(k);
    if (n === undefined) return text;
    text = text.replaceAll(`${String.fromCharCode(PLACEHOLDER_BYTE)}${k}`, n === null ? '' : String(n));
  }
}

/**
 * How the flush stores one value: its template and numbers ({ template:
 * value, numbers: [] } for a value without numbers), or undefined for a
 * value holding PLACEHOLDER_BYTE (a column holding one stays text). Equal
 * values have equal splits and unequal ones unequal: a condition `= value`
 * compares the stored pieces, no text rebuilt.
 */
export function splitText(value: string): { template: string; numbers: number[] } | undefined {
  const bytes = Buffer.from(value, 'utf8');
  const entries = new Uint8Array(4 + bytes.length);
  new DataView(entries.buffer).setUint32(0, bytes.length, true);
  entries.set(bytes, 4);
  const one = templateTextColumn({ name: 'value', kind: 'string-entries', entries, entryStarts: Uint32Array.of(0, entries.length), indices: Uint32Array.of(0), distinctEntries: true });
  if (one === undefined) return bytes.includes(PLACEHOLDER_BYTE) ? undefined : { template: value, numbers: [] };
  const t = one.template;
  return { template: Buffer.from(t.entries.subarray(4, t.entryStarts[1]!)).toString('utf8'), numbers: one.numbers.map((n) => n.values[0]!) };
}
