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

/** A byte of a word of full-text search: ASCII letter, digit, `_`, or any byte of a non-ASCII character. */
function isWordByte(b: number): boolean {
  return b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
}

/** What a word of a value is taken out as. */
const LITERAL = 0;
const NUMBER = 1;
const ID = 2;

/** `bytes[from, to)`, a whole word: literal text, a number or an id (the module comment has the rules). */
function wordKind(bytes: Uint8Array, from: number, to: number): number {
  let digits = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b >= 0x30 && b <= 0x39) digits++;
    else if (!((b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))) return LITERAL;
  }
  if (digits === 0) return LITERAL;
  if (digits === to - from && digits <= MAX_NUMBER_DIGITS && (digits === 1 || bytes[from] !== 0x30)) {
    let value = 0;
    for (let i = from; i < to; i++) value = value * 10 + (bytes[i]! - 0x30);
    if (value <= MAX_TEMPLATE_NUMBER) return NUMBER;
  }
  return ID;
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
 * Byte strings interned by an FNV-1a hash (open addressing, no JS string
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
    let hash = 0x811c9dc5;
    for (let b = from; b < to; b++) hash = Math.imul(hash ^ src[b]!, 0x01000193);
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
 * `column` as templates and variables, row for row; undefined when no value
 * holds a variable that varies, or one holds PLACEHOLDER_BYTE. Each distinct
 * entry is split once (the flush's entries are distinct: sorted-run.ts),
 * the rows then copy their entry's split.
 */
export function templateTextColumn(column: StringEntriesColumn): TemplatedText | undefined {
  const { entries, entryStarts, indices, nulls } = column;
  const rows = indices.length;
  const entryCount = entryStarts.length - 1;
  // 1. Each entry a row uses, split: its raw template (variables numbered by position) and variables.
  const rawOf = new Int32Array(entryCount).fill(-1);
  const numbersAt = new Uint32Array(entryCount);
  const idsAt = new Uint32Array(entryCount);
  let numbers = new Int32Array(Math.max(64, rows * 2));
  let numbersUsed = 0;
  /** per id taken out: its first and end byte in `entries` */
  let idSpans = new Uint32Array(256);
  let idsUsed = 0;
  const raw = new ByteStrings();
  /** per raw template: how many numbers and ids it names */
  let rawNumbers = new Uint8Array(256);
  let rawIds = new Uint8Array(256);
  const rawRows = new Int32Array(rows);
  let scratch = new Uint8Array(256);
  let placeholderInText = false;
  for (let r = 0; r < rows; r++) {
    if (nulls !== undefined && nulls[r] !== 0) {
      rawRows[r] = -1;
      continue;
    }
    const e = indices[r]!;
    if (rawOf[e]! >= 0) {
      rawRows[r] = rawOf[e]!;
      continue;
    }
    // the entry's first row: split it (inline, not a closure: this loop is the flush's hot one)
    const from = entryStarts[e]! + 4;
    const to = entryStarts[e + 1]!;
    // a placeholder is 2 bytes, a variable 1 byte or more
    if (scratch.length < 2 * (to - from)) scratch = new Uint8Array(4 * (to - from));
    if (numbers.length < numbersUsed + MAX_TEMPLATE_NUMBERS) numbers = grow(numbers, numbers.length * 2);
    if (idSpans.length < 2 * (idsUsed + MAX_TEMPLATE_NUMBERS)) idSpans = grow(idSpans, idSpans.length * 2);
    numbersAt[e] = numbersUsed;
    idsAt[e] = idsUsed;
    let n = 0;
    let d = 0;
    let o = 0;
    for (let i = from; i < to; ) {
      const b = entries[i]!;
      if (!isWordByte(b)) {
        if (b === PLACEHOLDER_BYTE) placeholderInText = true;
        scratch[o++] = b;
        i++;
        continue;
      }
      let j = i + 1;
      while (j < to && isWordByte(entries[j]!)) j++;
      const kind = wordKind(entries, i, j);
      if (kind === NUMBER && n < MAX_TEMPLATE_NUMBERS) {
        let value = 0;
        for (let k = i; k < j; k++) value = value * 10 + (entries[k]! - 0x30);
        numbers[numbersUsed + n] = value;
        scratch[o++] = PLACEHOLDER_BYTE;
        scratch[o++] = NUMBER_MARK + n++;
      } else if (kind === ID && d < MAX_TEMPLATE_NUMBERS) {
        idSpans[2 * (idsUsed + d)] = i;
        idSpans[2 * (idsUsed + d) + 1] = j;
        scratch[o++] = PLACEHOLDER_BYTE;
        scratch[o++] = ID_MARK + d++;
      } else {
        for (let k = i; k < j; k++) scratch[o++] = entries[k]!;
      }
      i = j;
    }
    numbersUsed += n;
    idsUsed += d;
    const t = raw.intern(scratch, 0, o);
    if (t >= rawNumbers.length) {
      rawNumbers = grow(rawNumbers, rawNumbers.length * 2);
      rawIds = grow(rawIds, rawIds.length * 2);
    }
    rawNumbers[t] = n;
    rawIds[t] = d;
    rawOf[e] = t;
    rawRows[r] = t;
  }
  if (placeholderInText) return undefined;
  const plan = templatePlan(raw, rawNumbers, rawIds, rawRows, rawOf, { entries, numbers, numbersAt, idSpans, idsAt });
  if (plan.numberColumns === 0 && plan.idColumns === 0) return undefined;

  // 2. The rows: their final template, numbers and ids in the columns the plan gives.
  const templateRows = new Uint32Array(rows);
  const templateNulls = new Uint8Array(rows);
  const numberValues = Array.from({ length: plan.numberColumns }, () => new Int32Array(rows));
  const numberNulls = Array.from({ length: plan.numberColumns }, () => new Uint8Array(rows).fill(1));
  const idStrings = Array.from({ length: plan.idColumns }, () => new ByteStrings());
  const idRows = Array.from({ length: plan.idColumns }, () => new Uint32Array(rows));
  const idNulls = Array.from({ length: plan.idColumns }, () => new Uint8Array(rows).fill(1));
  /** per id taken out: its string in its column (-1: not yet) */
  const idString = new Int32Array(idsUsed).fill(-1);
  for (let r = 0; r < rows; r++) {
    const t = rawRows[r]!;
    if (t < 0) {
      templateNulls[r] = 1;
      continue;
    }
    templateRows[r] = plan.finalOf[t]!;
    const e = indices[r]!;
    const slots = plan.numberSlotAt[t]!;
    for (let j = 0, n = rawNumbers[t]!; j < n; j++) {
      const c = plan.slotColumn[slots + j]!;
      if (c < 0) continue;
      numberValues[c]![r] = numbers[numbersAt[e]! + j]!;
      numberNulls[c]![r] = 0;
    }
    const idSlots = plan.idSlotAt[t]!;
    for (let j = 0, n = rawIds[t]!; j < n; j++) {
      const c = plan.idSlotColumn[idSlots + j]!;
      if (c < 0) continue;
      const at = idsAt[e]! + j;
      if (idString[at]! < 0) idString[at] = idStrings[c]!.intern(entries, idSpans[2 * at]!, idSpans[2 * at + 1]!);
      idRows[c]![r] = idString[at]!;
      idNulls[c]![r] = 0;
    }
  }
  return {
    template: plan.templates.column(`${column.name}${TEMPLATE_SUFFIX}`, templateRows, templateNulls),
    numbers: numberValues.map((values, k) => ({ name: templateNumberColumn(column.name, k), kind: 'int32', values, nulls: numberNulls[k]! })),
    ids: idStrings.map((strings, k) => strings.column(templateIdColumn(column.name, k), idRows[k]!, idNulls[k]!)),
  };
}

interface SplitEntries {
  entries: Uint8Array;
  numbers: Int32Array;
  numbersAt: Uint32Array;
  idSpans: Uint32Array;
  idsAt: Uint32Array;
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
function templatePlan(raw: ByteStrings, rawNumbers: Uint8Array, rawIds: Uint8Array, rawRows: Int32Array, rawOf: Int32Array, split: SplitEntries): TemplatePlan {
  const { entries, numbers, numbersAt, idSpans, idsAt } = split;
  const count = raw.count;
  const numberSlotAt = new Uint32Array(count + 1);
  const idSlotAt = new Uint32Array(count + 1);
  for (let t = 0; t < count; t++) {
    numberSlotAt[t + 1] = numberSlotAt[t]! + rawNumbers[t]!;
    idSlotAt[t + 1] = idSlotAt[t]! + rawIds[t]!;
  }
  const rowsOf = new Uint32Array(count);
  for (let r = 0; r < rawRows.length; r++) if (rawRows[r]! >= 0) rowsOf[rawRows[r]!]++;
  // per slot: its first value (ids: the entry holding it), whether every other is equal
  const first = new Int32Array(numberSlotAt[count]!).fill(-1);
  const varies = new Uint8Array(numberSlotAt[count]!);
  const idFirst = new Int32Array(idSlotAt[count]!).fill(-1);
  const idVaries = new Uint8Array(idSlotAt[count]!);
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
