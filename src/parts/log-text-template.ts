// Text columns of log parts as a template and its variables (CLP's split,
// Drain's masking of tokens with digits): a message like
// `order 4711 created for session 3fa9c2` is stored as the template
// `order \x110 created for session \x11a` (a dictionary column: a few dozen
// distinct templates; U+0011 and a digit k stand for number column k, U+0011
// and a letter a+k for id column k), its numbers as int32 columns
// (`…::template.0`, `.1`, …) and its ids as string columns (`…::template.id0`,
// …). Readers rebuild the text by replacing each placeholder with its
// variable's text (DuckDB `replace`, ClickHouse `replaceAll`: a template
// varies per row, and ClickHouse's `format` takes only a constant pattern);
// docs/format/log-text-template.md has the rules.
//
// A variable is a whole word of full-text search — a run of ASCII letters,
// digits, `_` and non-ASCII bytes with none of those on either side — made
// of ASCII hex digits with at least one decimal digit: a number when it is
// canonical decimal below 2^31 (no leading zero), else an id, kept as its
// bytes (case, leading zeros; hex ids, longer numbers). So the rebuilt text
// is byte for byte the original, and every word of the text is whole in the
// template or is exactly one variable (log search's cheap tests rely on
// that: src/query/logs/log-sql.ts).
//
// Per part, as template miners learn which tokens vary: a variable whose
// value is the same in every row of its template goes back into the
// template (a port, a constant octet: docs/storage.md, "Log parts"). A part
// whose column holds U+0011 anywhere keeps that column as text.

import type { ParquetColumn } from './parquet/columns.js';
import { splitTypedColumnName } from './schema.js';
import { ValueType } from '../model/span-batch.js';
import { grow } from '../model/span-batch-builder.js';
import { hashBytes } from './parquet/strings.js';

/** Suffix of the template column of a text column stored as template + variables. */
export const TEMPLATE_SUFFIX = '::template';
/** Numbers taken out of one value at most, and ids likewise; later ones stay in its template. */
export const MAX_TEMPLATE_NUMBERS = 8;
/** The byte before a placeholder's column letter (U+0011, DC1: not found in log text; a column holding it stays text). */
export const PLACEHOLDER_BYTE = 0x11;
/** After PLACEHOLDER_BYTE: number column k is `0` + k, id column k is `a` + k. */
const NUMBER_MARK = 0x30;
const ID_MARK = 0x61;
/**
 * Larger numbers are ids: numbers are INT32 (in every part, so merges
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

/** The column of id `k` of `column`'s templates. */
export function templateIdColumn(column: string, k: number): string {
  return `${column}${TEMPLATE_SUFFIX}.id${k}`;
}

/**
 * The text column a stored column is part of (`body.msg::template`,
 * `body.msg::template.3`, `body.msg::template.id0` → `body.msg`); undefined
 * for any other column.
 */
export function templatedColumnOf(stored: string): string | undefined {
  const at = stored.lastIndexOf(TEMPLATE_SUFFIX);
  if (at <= 0) return undefined;
  const rest = stored.length - at - TEMPLATE_SUFFIX.length;
  if (rest === 0) return stored.slice(0, at);
  return /^\.(id)?\d+$/.test(stored.slice(at + TEMPLATE_SUFFIX.length)) ? stored.slice(0, at) : undefined;
}

/** Whether the flush tries templates on a column: string and array-as-JSON bodies and body fields. */
export function isTemplateCandidate(column: string): boolean {
  const { base, type } = splitTypedColumnName(column);
  if (base !== 'body' && !base.startsWith('body.')) return false;
  return type === ValueType.String || (type === ValueType.Array && base !== 'body');
}

export interface TemplatedText {
  template: StringEntriesColumn;
  /** number column k of each row (null where its template names none) */
  numbers: Int32Column[];
  /** id column k of each row (null where its template names none) */
  ids: StringEntriesColumn[];
}

/** Byte classes (BYTE_CLASS): a byte of a word of full-text search — ASCII letter, digit, `_`, or any byte of a non-ASCII character — and among those the hex digits and the decimal ones. */
const WORD_BYTE = 1;
const HEX_DIGIT = 2;
const DECIMAL_DIGIT = 4;

/** Each byte's classes, looked up once per byte of a value: the split reads every byte of the part's text. */
const BYTE_CLASS = byteClasses();

function byteClasses(): Uint8Array {
  const classes = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    const decimal = b >= 0x30 && b <= 0x39;
    const hexLetter = (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
    const word = b >= 0x80 || decimal || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
    classes[b] = (word ? WORD_BYTE : 0) | (decimal || hexLetter ? HEX_DIGIT : 0) | (decimal ? DECIMAL_DIGIT : 0);
  }
  return classes;
}

/** What a word of a value is taken out as. */
const LITERAL = 0;
const NUMBER = 1;
const ID = 2;

/**
 * A whole word of `length` bytes, `digits` of them decimal, `hexOnly` when
 * every byte is a hex digit, starting at `bytes[from]`: literal text, a
 * number or an id (the module comment has the rules).
 */
function wordKind(bytes: Uint8Array, from: number, length: number, digits: number, hexOnly: boolean): number {
  if (!hexOnly || digits === 0) return LITERAL;
  if (digits === length && digits <= MAX_NUMBER_DIGITS && (digits === 1 || bytes[from] !== 0x30) && decimalValue(bytes, from, from + length) <= MAX_TEMPLATE_NUMBER) return NUMBER;
  return ID;
}

/** The decimal digits bytes[from, to) as a number. */
function decimalValue(bytes: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + (bytes[i]! - 0x30);
  return value;
}

/** The variables of a text as a JS string, by the same rules: its words that are numbers or ids, and the text between them. */
export function textVariables(value: string): { variables: string[]; between: string[] } {
  const variables: string[] = [];
  const between: string[] = [];
  let last = 0;
  for (const m of value.matchAll(/[A-Za-z0-9_\u0080-\uffff]+/g)) {
    if (!/^[0-9A-Fa-f]*[0-9][0-9A-Fa-f]*$/.test(m[0])) continue;
    variables.push(m[0]);
    between.push(value.slice(last, m.index));
    last = m.index + m[0].length;
  }
  between.push(value.slice(last));
  return { variables, between };
}

/**
 * Byte strings interned by a hash of their bytes (open addressing, no JS string
 * per entry), as PLAIN byte arrays: ids 0, 1, … in order of first sight.
 */
class ByteStrings {
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(256);
  /** `u32 length, bytes` of each string, string k at starts[k] */
  bytes = new Uint8Array(4096);
  starts = new Uint32Array(257);
  count = 0;

  intern(src: Uint8Array, from: number, to: number): number {
    const length = to - from;
    const hash = hashBytes(src, from, to);
    let mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let other = this.slots[slot]!; other >= 0; slot = (slot + 1) & mask, other = this.slots[slot]!) {
      if (this.hashes[other] === hash && sameBytes(this.bytes, this.starts[other]! + 4, this.starts[other + 1]!, src, from, length)) return other;
    }
    const id = this.count++;
    if (this.count * 2 > this.slots.length) {
      this.slots = rehashed(this.hashes, id, this.slots.length * 2);
      mask = this.slots.length - 1;
      slot = hash & mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
    }
    this.slots[slot] = id;
    if (this.count + 1 > this.hashes.length) {
      this.hashes = grow(this.hashes, this.hashes.length * 2);
      this.starts = grow(this.starts, this.starts.length * 2);
    }
    this.hashes[id] = hash;
    const at = this.starts[id]!;
    if (this.bytes.length < at + 4 + length) this.bytes = grow(this.bytes, at + 4 + length);
    this.bytes[at] = length;
    this.bytes[at + 1] = length >>> 8;
    this.bytes[at + 2] = length >>> 16;
    this.bytes[at + 3] = length >>> 24;
    this.bytes.set(src.subarray(from, to), at + 4);
    this.starts[id + 1] = at + 4 + length;
    return id;
  }

  column(name: string, indices: Uint32Array, nulls: Uint8Array): StringEntriesColumn {
    return { name, kind: 'string-entries', entries: this.bytes.subarray(0, this.starts[this.count]!), entryStarts: this.starts.slice(0, this.count + 1), indices, nulls, distinctEntries: true };
  }
}

/**
 * The raw split of each entry of a string column that a row uses: its raw
 * template (variables numbered by position, interned) and its variables.
 * An entry is split once, whatever rows use it, so a split made for the
 * first row group's trial serves the whole column after it (the sample's
 * rows are the column's first: templates and ids are numbered in the same
 * order of first sight).
 */
export class EntrySplits {
  /** per entry: its raw template, -1 until split */
  readonly rawOf: Int32Array;
  /** per entry: where its numbers start in `numbers`, its ids in `idSpans` (pairs) */
  readonly numbersAt: Uint32Array;
  readonly idsAt: Uint32Array;
  numbers = new Int32Array(1024);
  numbersUsed = 0;
  /** per id taken out: its first and end byte in the entries */
  idSpans = new Uint32Array(256);
  idsUsed = 0;
  readonly raw = new ByteStrings();
  /** per raw template: how many numbers and ids it names */
  rawNumbers = new Uint8Array(256);
  rawIds = new Uint8Array(256);
  /** whether a value split holds PLACEHOLDER_BYTE (the column then stays text) */
  placeholderInText = false;
  private scratch = new Uint8Array(256);

  constructor(readonly column: Pick<StringEntriesColumn, 'entries' | 'entryStarts'>) {
    const entryCount = column.entryStarts.length - 1;
    this.rawOf = new Int32Array(entryCount).fill(-1);
    this.numbersAt = new Uint32Array(entryCount);
    this.idsAt = new Uint32Array(entryCount);
  }

  /** Entry `e`'s raw template, split the first time it is asked for. */
  rawTemplateOf(e: number): number {
    const known = this.rawOf[e]!;
    return known >= 0 ? known : this.split(e);
  }

  private split(e: number): number {
    const { entries, entryStarts } = this.column;
    const from = entryStarts[e]! + 4;
    const to = entryStarts[e + 1]!;
    // a placeholder is 2 bytes, a variable 1 byte or more
    if (this.scratch.length < 2 * (to - from)) this.scratch = new Uint8Array(4 * (to - from));
    if (this.numbers.length < this.numbersUsed + MAX_TEMPLATE_NUMBERS) this.numbers = grow(this.numbers, this.numbers.length * 2);
    if (this.idSpans.length < 2 * (this.idsUsed + MAX_TEMPLATE_NUMBERS)) this.idSpans = grow(this.idSpans, this.idSpans.length * 2);
    const scratch = this.scratch;
    const numbers = this.numbers;
    const idSpans = this.idSpans;
    const numbersUsed = this.numbersUsed;
    const idsUsed = this.idsUsed;
    let n = 0;
    let d = 0;
    let o = 0;
    for (let i = from; i < to; ) {
      const b = entries[i]!;
      if ((BYTE_CLASS[b]! & WORD_BYTE) === 0) {
        if (b === PLACEHOLDER_BYTE) this.placeholderInText = true;
        scratch[o++] = b;
        i++;
        continue;
      }
      // a whole word, copied as literal text while its classes are read; a variable then overwrites it
      const wordAt = o;
      let all = HEX_DIGIT;
      let digits = 0;
      let j = i;
      for (let c = BYTE_CLASS[b]!; (c & WORD_BYTE) !== 0; c = j < to ? BYTE_CLASS[entries[j]!]! : 0) {
        scratch[o++] = entries[j]!;
        all &= c;
        digits += c >>> 2;
        j++;
      }
      const kind = wordKind(entries, i, j - i, digits, all !== 0);
      if (kind === NUMBER && n < MAX_TEMPLATE_NUMBERS) {
        numbers[numbersUsed + n] = decimalValue(entries, i, j);
        o = wordAt;
        scratch[o++] = PLACEHOLDER_BYTE;
        scratch[o++] = NUMBER_MARK + n++;
      } else if (kind === ID && d < MAX_TEMPLATE_NUMBERS) {
        idSpans[2 * (idsUsed + d)] = i;
        idSpans[2 * (idsUsed + d) + 1] = j;
        o = wordAt;
        scratch[o++] = PLACEHOLDER_BYTE;
        scratch[o++] = ID_MARK + d++;
      }
      i = j;
    }
    this.numbersAt[e] = numbersUsed;
    this.idsAt[e] = idsUsed;
    this.numbersUsed = numbersUsed + n;
    this.idsUsed = idsUsed + d;
    const t = this.raw.intern(scratch, 0, o);
    if (t >= this.rawNumbers.length) {
      this.rawNumbers = grow(this.rawNumbers, this.rawNumbers.length * 2);
      this.rawIds = grow(this.rawIds, this.rawIds.length * 2);
    }
    this.rawNumbers[t] = n;
    this.rawIds[t] = d;
    this.rawOf[e] = t;
    return t;
  }
}

/**
 * `column` as templates and variables, row for row; undefined when no value
 * holds a variable that varies, or one holds PLACEHOLDER_BYTE. Each distinct
 * entry is split once (the flush's entries are distinct: sorted-run.ts),
 * the rows then copy their entry's split; `splits` may hold splits made
 * before for the same entries (EntrySplits).
 */
export function templateTextColumn(column: StringEntriesColumn, splits = new EntrySplits(column)): TemplatedText | undefined {
  if (splits.column.entries !== column.entries || splits.column.entryStarts !== column.entryStarts) throw new Error('templateTextColumn: splits of other entries');
  // 1. Each entry a row uses, split: its raw template (variables numbered by position) and variables.
  const rawRows = new Int32Array(column.indices.length);
  rawTemplateRows(column, splits, rawRows);
  if (splits.placeholderInText) return undefined;
  const plan = templatePlan(rawRows, splits);
  if (plan.numberColumns === 0 && plan.idColumns === 0) return undefined;
  // 2. The rows: their final template, numbers and ids in the columns the plan gives.
  return templatedRows(column, rawRows, splits, plan);
}

/**
 * Each row's raw template into `rawRows` (-1 for null), its entry split
 * where it is the first to use it. The loops here and in templatedRows are
 * functions of their own with nothing after them: V8 keeps a loop's
 * on-stack-replaced code, and a use after the loop without type feedback
 * deoptimised it on every column (docs/storage.md, session 11).
 */
function rawTemplateRows(column: StringEntriesColumn, splits: EntrySplits, rawRows: Int32Array): void {
  const { indices, nulls } = column;
  for (let r = 0; r < rawRows.length; r++) rawRows[r] = nulls !== undefined && nulls[r] !== 0 ? -1 : splits.rawTemplateOf(indices[r]!);
}

function templatedRows(column: StringEntriesColumn, rawRows: Int32Array, splits: EntrySplits, plan: TemplatePlan): TemplatedText {
  const rows = rawRows.length;
  const numberValues = Array.from({ length: plan.numberColumns }, () => new Int32Array(rows));
  const numberNulls = Array.from({ length: plan.numberColumns }, () => new Uint8Array(rows).fill(1));
  const ids: TemplatedIds = {
    strings: Array.from({ length: plan.idColumns }, () => new ByteStrings()),
    rows: Array.from({ length: plan.idColumns }, () => new Uint32Array(rows)),
    nulls: Array.from({ length: plan.idColumns }, () => new Uint8Array(rows).fill(1)),
    stringOf: new Int32Array(splits.idsUsed).fill(-1),
  };
  const templateRows = new Uint32Array(rows);
  const templateNulls = new Uint8Array(rows);
  fillTemplatedRows(column.indices, rawRows, splits, plan, { templateRows, templateNulls, numberValues, numberNulls }, ids);
  return {
    template: plan.templates.column(`${column.name}${TEMPLATE_SUFFIX}`, templateRows, templateNulls),
    numbers: numberValues.map((values, k) => ({ name: templateNumberColumn(column.name, k), kind: 'int32', values, nulls: numberNulls[k]! })),
    ids: ids.strings.map((strings, k) => strings.column(templateIdColumn(column.name, k), ids.rows[k]!, ids.nulls[k]!)),
  };
}

/** The id columns of a templated text as they are filled. */
interface TemplatedIds {
  strings: ByteStrings[];
  rows: Uint32Array[];
  nulls: Uint8Array[];
  /** per id taken out: its string in its column (-1: not yet) */
  stringOf: Int32Array;
}

/** The template and number columns of a templated text as they are filled. */
interface TemplatedValues {
  templateRows: Uint32Array;
  templateNulls: Uint8Array;
  numberValues: Int32Array[];
  numberNulls: Uint8Array[];
}

function fillTemplatedRows(indices: Uint32Array, rawRows: Int32Array, splits: EntrySplits, plan: TemplatePlan, out: TemplatedValues, ids: TemplatedIds): void {
  const { numbers, numbersAt, idsAt, idSpans, rawNumbers, rawIds } = splits;
  const { entries } = splits.column;
  const { templateRows, templateNulls, numberValues, numberNulls } = out;
  const { finalOf, numberSlotAt, slotColumn, idSlotAt, idSlotColumn } = plan;
  for (let r = 0; r < rawRows.length; r++) {
    const t = rawRows[r]!;
    if (t < 0) {
      templateNulls[r] = 1;
      continue;
    }
    templateRows[r] = finalOf[t]!;
    const e = indices[r]!;
    const slots = numberSlotAt[t]!;
    for (let j = 0, n = rawNumbers[t]!; j < n; j++) {
      const c = slotColumn[slots + j]!;
      if (c < 0) continue;
      numberValues[c]![r] = numbers[numbersAt[e]! + j]!;
      numberNulls[c]![r] = 0;
    }
    const idSlots = idSlotAt[t]!;
    for (let j = 0, n = rawIds[t]!; j < n; j++) {
      const c = idSlotColumn[idSlots + j]!;
      if (c < 0) continue;
      const at = idsAt[e]! + j;
      if (ids.stringOf[at]! < 0) ids.stringOf[at] = ids.strings[c]!.intern(entries, idSpans[2 * at]!, idSpans[2 * at + 1]!);
      ids.rows[c]![r] = ids.stringOf[at]!;
      ids.nulls[c]![r] = 0;
    }
  }
}

interface TemplatePlan {
  /** the final templates, and the final template of each raw one */
  templates: ByteStrings;
  finalOf: Int32Array;
  /** per raw template, where its number slots (ids: idSlotAt) start in slotColumn (idSlotColumn) */
  numberSlotAt: Uint32Array;
  idSlotAt: Uint32Array;
  /** per slot: its column, -1 where the variable is put back into the template */
  slotColumn: Int32Array;
  idSlotColumn: Int32Array;
  numberColumns: number;
  idColumns: number;
}

/**
 * What the part stores of each raw template: a variable with one value in
 * every row of its template (and a template of two rows or more) is put
 * back into the template; the others go to the number and id columns in
 * text order (placing numbers by size measured no smaller:
 * docs/storage.md, "Log parts").
 */
function templatePlan(rawRows: Int32Array, splits: EntrySplits): TemplatePlan {
  const { raw, rawNumbers, rawIds, idSpans } = splits;
  const { entries } = splits.column;
  const count = raw.count;
  const numberSlotAt = new Uint32Array(count + 1);
  const idSlotAt = new Uint32Array(count + 1);
  for (let t = 0; t < count; t++) {
    numberSlotAt[t + 1] = numberSlotAt[t]! + rawNumbers[t]!;
    idSlotAt[t + 1] = idSlotAt[t]! + rawIds[t]!;
  }
  const rowsOf = rowsPerTemplate(rawRows, count);
  // per slot: its first value (ids: the entry holding it), whether every other is equal
  const first = new Int32Array(numberSlotAt[count]!).fill(-1);
  const varies = new Uint8Array(numberSlotAt[count]!);
  const idFirst = new Int32Array(idSlotAt[count]!).fill(-1);
  const idVaries = new Uint8Array(idSlotAt[count]!);
  markVaryingSlots(splits, numberSlotAt, idSlotAt, { first, varies, idFirst, idVaries });
  const slotColumn = new Int32Array(numberSlotAt[count]!).fill(-1);
  const idSlotColumn = new Int32Array(idSlotAt[count]!).fill(-1);
  const keep = (t: number, s: number, variesAt: Uint8Array): boolean => rowsOf[t]! < 2 || variesAt[s] !== 0;
  let numberColumns = 0;
  let idColumns = 0;
  const templates = new ByteStrings();
  const finalOf = new Int32Array(count);
  let scratch = new Uint8Array(256);
  for (let t = 0; t < count; t++) {
    let kept = 0;
    for (let j = 0, s = numberSlotAt[t]!; j < rawNumbers[t]!; j++, s++) if (keep(t, s, varies)) slotColumn[s] = kept++;
    numberColumns = Math.max(numberColumns, kept);
    kept = 0;
    for (let j = 0, s = idSlotAt[t]!; j < rawIds[t]!; j++, s++) if (keep(t, s, idVaries)) idSlotColumn[s] = kept++;
    idColumns = Math.max(idColumns, kept);
    // the raw template with its slots renamed, or their one value written back
    const rawFrom = raw.starts[t]! + 4;
    const rawTo = raw.starts[t + 1]!;
    const need = (rawTo - rawFrom) * (MAX_NUMBER_DIGITS + 2) + 64;
    if (scratch.length < need) scratch = new Uint8Array(need);
    let o = 0;
    for (let i = rawFrom; i < rawTo; i++) {
      const b = raw.bytes[i]!;
      if (b !== PLACEHOLDER_BYTE) {
        scratch[o++] = b;
        continue;
      }
      const mark = raw.bytes[++i]!;
      if (mark < ID_MARK) {
        const s = numberSlotAt[t]! + mark - NUMBER_MARK;
        if (slotColumn[s]! >= 0) {
          scratch[o++] = PLACEHOLDER_BYTE;
          scratch[o++] = NUMBER_MARK + slotColumn[s]!;
        } else {
          o = writeDecimal(scratch, o, first[s]!);
        }
      } else {
        const s = idSlotAt[t]! + mark - ID_MARK;
        if (idSlotColumn[s]! >= 0) {
          scratch[o++] = PLACEHOLDER_BYTE;
          scratch[o++] = ID_MARK + idSlotColumn[s]!;
        } else {
          const f = idFirst[s]!;
          const length = idSpans[2 * f + 1]! - idSpans[2 * f]!;
          if (scratch.length < o + length + need) scratch = grow(scratch, o + length + need);
          scratch.set(entries.subarray(idSpans[2 * f]!, idSpans[2 * f + 1]!), o);
          o += length;
        }
      }
    }
    finalOf[t] = templates.intern(scratch, 0, o);
  }
  return { templates, finalOf, numberSlotAt, idSlotAt, slotColumn, idSlotColumn, numberColumns, idColumns };
}

/** Rows per raw template. The loops below are functions of their own with nothing after them (rawTemplateRows). */
function rowsPerTemplate(rawRows: Int32Array, count: number): Uint32Array {
  const rowsOf = new Uint32Array(count);
  for (let r = 0; r < rawRows.length; r++) if (rawRows[r]! >= 0) rowsOf[rawRows[r]!]++;
  return rowsOf;
}

/** Per variable slot of the raw templates: its first value (ids: the id holding it), and whether another differs. */
interface SlotValues {
  first: Int32Array;
  varies: Uint8Array;
  idFirst: Int32Array;
  idVaries: Uint8Array;
}

function markVaryingSlots(splits: EntrySplits, numberSlotAt: Uint32Array, idSlotAt: Uint32Array, slots: SlotValues): void {
  const { rawOf, rawNumbers, rawIds, numbers, numbersAt, idSpans, idsAt } = splits;
  const { entries } = splits.column;
  const { first, varies, idFirst, idVaries } = slots;
  for (let e = 0; e < rawOf.length; e++) {
    const t = rawOf[e]!;
    if (t < 0) continue;
    for (let j = 0, s = numberSlotAt[t]!; j < rawNumbers[t]!; j++, s++) {
      const v = numbers[numbersAt[e]! + j]!;
      if (first[s]! < 0) first[s] = v;
      else if (first[s] !== v) varies[s] = 1;
    }
    for (let j = 0, s = idSlotAt[t]!; j < rawIds[t]!; j++, s++) {
      const at = idsAt[e]! + j;
      if (idFirst[s]! < 0) {
        idFirst[s] = at;
        continue;
      }
      const f = idFirst[s]!;
      if (!sameBytes(entries, idSpans[2 * f]!, idSpans[2 * f + 1]!, entries, idSpans[2 * at]!, idSpans[2 * at + 1]! - idSpans[2 * at]!)) idVaries[s] = 1;
    }
  }
}

function writeDecimal(out: Uint8Array, at: number, value: number): number {
  const digits = String(value);
  for (let k = 0; k < digits.length; k++) out[at + k] = digits.charCodeAt(k);
  return at + digits.length;
}

function sameBytes(a: Uint8Array, from: number, to: number, b: Uint8Array, bFrom: number, length: number): boolean {
  if (to - from !== length) return false;
  for (let i = 0; i < length; i++) if (a[from + i] !== b[bFrom + i]) return false;
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

/** The number columns and id columns of `column` that `columns` hold, in order. */
export function templateVariableColumns(column: string, columns: ReadonlySet<string>): { numbers: string[]; ids: string[] } {
  const numbers: string[] = [];
  const ids: string[] = [];
  for (let k = 0; columns.has(templateNumberColumn(column, k)); k++) numbers.push(templateNumberColumn(column, k));
  for (let k = 0; columns.has(templateIdColumn(column, k)); k++) ids.push(templateIdColumn(column, k));
  return { numbers, ids };
}

/**
 * The SQL expression (DuckDB) of the text of `column` where `columns` (one
 * file's, or a union's) hold it as template + variables, else undefined.
 * Where a merge joined a part holding the text with one holding templates,
 * the text where there is one.
 */
export function templateRebuildSql(column: string, columns: ReadonlySet<string>, ident: (c: string) => string): string | undefined {
  const template = `${column}${TEMPLATE_SUFFIX}`;
  if (!columns.has(template)) return undefined;
  let rebuilt = ident(template);
  const { numbers, ids } = templateVariableColumns(column, columns);
  // replace() gives NULL when the replacement is: a variable a template does not name is ''
  numbers.forEach((c, k) => (rebuilt = `replace(${rebuilt}, chr(${PLACEHOLDER_BYTE}) || '${String.fromCharCode(NUMBER_MARK + k)}', coalesce(CAST(${ident(c)} AS VARCHAR), ''))`));
  ids.forEach((c, k) => (rebuilt = `replace(${rebuilt}, chr(${PLACEHOLDER_BYTE}) || '${String.fromCharCode(ID_MARK + k)}', coalesce(${ident(c)}, ''))`));
  return columns.has(column) ? `coalesce(${ident(column)}, ${rebuilt})` : rebuilt;
}

/**
 * templateRebuildSql's text in this process, for a row read without DuckDB:
 * each placeholder replaced by its number (`numberAt(k)`) or id (`idAt(k)`),
 * '' for null; placeholders of columns the file lacks left as they are.
 */
export function rebuildTemplate(template: string, numbers: readonly (number | null)[], ids: readonly (string | null)[]): string {
  let text = template;
  numbers.forEach((n, k) => (text = text.replaceAll(`\u0011${String.fromCharCode(NUMBER_MARK + k)}`, n === null ? '' : String(n))));
  ids.forEach((id, k) => (text = text.replaceAll(`\u0011${String.fromCharCode(ID_MARK + k)}`, id ?? '')));
  return text;
}
