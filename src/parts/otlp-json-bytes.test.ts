import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { hexOf } from '../model/hex.js';
import { Rng } from '../loadgen/rng.js';
import { generateTraces } from '../loadgen/trace-generator.js';
import { JsonEntriesColumn, writeEventsJson, writeLinksJson } from './otlp-json-bytes.js';
import { ColumnArrayPool, FRESH_ARRAYS, type ColumnArrays } from './column-array-pool.js';
import { compactEventsJson } from './events-compact.js';
import type { ParquetColumn } from './parquet/writer.js';

const decoder = new TextDecoder();

/** Row texts of a written column (undefined where null). */
function texts(column: JsonEntriesColumn, rows: number): (string | undefined)[] {
  const c = column.toParquet() as Extract<ParquetColumn, { kind: 'string-entries' }>;
  return Array.from({ length: rows }, (_, i) => {
    if (c.nulls![i]) return undefined;
    const e = c.indices[i]!;
    const from = c.entryStarts[e]!;
    const length = new DataView(c.entries.buffer, c.entries.byteOffset).getUint32(from, true);
    assert.equal(from + 4 + length, c.entryStarts[e + 1], 'entries are PLAIN byte arrays, back to back');
    return decoder.decode(c.entries.subarray(from + 4, from + 4 + length));
  });
}

/** What OTLP JSON says attribute rows [from, to) are, built from the columns independently of the writer. */
function expectedAttributes(a: AttributeColumns, from: number, to: number): unknown[] {
  const out: unknown[] = [];
  for (let i = from; i < to; i++) {
    const t = a.type[i];
    const value =
      t === ValueType.String ? { stringValue: a.str[i] }
      : t === ValueType.Bool ? { boolValue: a.num[i] === 1 }
      : t === ValueType.Int ? { intValue: String(a.int[i]) }
      : t === ValueType.Double ? { doubleValue: Number.isFinite(a.num[i]) ? a.num[i] : String(a.num[i]) } // NaN, ±Infinity as OTLP JSON's strings
      : t === ValueType.Bytes ? { bytesValue: a.str[i] }
      : t === ValueType.Array || t === ValueType.KvList ? JSON.parse(a.str[i]!)
      : {};
    out.push({ key: a.key[i], value });
  }
  return out;
}

function rowsOf(owner: Uint32Array, length: number, of: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < length; i++) if (owner[i] === of) rows.push(i);
  return rows;
}

/** The OTLP JSON of the items (events, links) of `span`, each from `item(index, its attributes)`; undefined when none. */
function expectedItems(owner: Uint32Array, length: number, attributes: AttributeColumns, span: number, item: (i: number, attributes: unknown[]) => unknown): unknown[] | undefined {
  const items = rowsOf(owner, length, span);
  if (items.length === 0) return undefined;
  return items.map((i) => {
    const attrs = rowsOf(attributes.owner, attributes.length, i);
    return item(i, attrs.length === 0 ? [] : expectedAttributes(attributes, attrs[0]!, attrs[attrs.length - 1]! + 1));
  });
}

function expectedEvents(b: SpanBatch, span: number): unknown[] | undefined {
  const ev = b.events;
  return expectedItems(ev.owner, ev.length, ev.attributes, span, (e, attributes) => ({
    timeUnixNano: String(ev.timeUnixNano[e]),
    name: ev.name[e],
    attributes,
    droppedAttributesCount: ev.droppedAttributesCount[e],
  }));
}

function expectedLinks(b: SpanBatch, span: number): unknown[] | undefined {
  const ln = b.links;
  return expectedItems(ln.owner, ln.length, ln.attributes, span, (l, attributes) => ({
    traceId: hexOf(ln.traceId, l * 16, 16),
    spanId: hexOf(ln.spanId, l * 8, 8),
    traceState: ln.traceState[l],
    attributes,
    droppedAttributesCount: ln.droppedAttributesCount[l],
    flags: ln.flags[l],
  }));
}

const TRICKY_STRINGS = ['plain', '', 'quote " and \\ backslash', 'new\nline\ttab\u0001\u001f', 'é ü 日本 😀', 'lone \ud800 high', 'lone \udc00 low', 'line sep \u2028 \u2029', '\u007f del', '</script>'];

/** Spans with events and links whose every value kind and string needs care. */
function trickyBatch(): SpanBatch {
  const b = new SpanBatchBuilder();
  const res = b.addResource('', 0);
  const scope = b.addScope('s', '', '', 0);
  for (let s = 0; s < TRICKY_STRINGS.length; s++) {
    const span = b.addSpan(res, scope);
    b.traceId[span * 16] = s + 1;
    b.spanId[span * 8] = s + 1;
    if (s % 3 === 2) continue; // some spans without events or links
    const text = TRICKY_STRINGS[s]!;
    const e = b.addEvent(span, 1_700_000_000_000_000_000n + BigInt(s), text, s);
    b.eventAttributes.addString(e, text, text);
    b.eventAttributes.addBool(e, 'b', s % 2 === 0);
    b.eventAttributes.addInt(e, 'i', -(2n ** 63n) + BigInt(s));
    b.eventAttributes.addDouble(e, 'd', [-0, 1.5, Number.NaN, Infinity, -Infinity, 1e300][s % 6]!);
    b.eventAttributes.addBytes(e, 'y', 'AAEC');
    b.eventAttributes.addComplex(e, 'a', ValueType.Array, '{"arrayValue":{"values":[{"stringValue":"x\\"y"},{"intValue":"3"}]}}');
    b.eventAttributes.addEmpty(e, 'empty');
    b.addEvent(span, 0n, 'second', 0);
    const l = b.addLink(span, text, s, 1);
    b.linkTraceId[l * 16 + 15] = 0xab;
    b.linkSpanId[l * 8] = 0xcd;
    b.linkAttributes.addComplex(l, 'kv', ValueType.KvList, '{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}');
  }
  return b.finish();
}

function writeBoth(batches: readonly SpanBatch[], arrays: ColumnArrays, expectedBytes?: number): { events: JsonEntriesColumn; links: JsonEntriesColumn; rows: number } {
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const events = new JsonEntriesColumn('events', rows, arrays, expectedBytes);
  const links = new JsonEntriesColumn('links', rows, arrays, expectedBytes);
  let row0 = 0;
  for (const b of batches) {
    writeEventsJson(events, b.events, b.length, row0);
    writeLinksJson(links, b.links, b.length, row0);
    row0 += b.length;
  }
  return { events, links, rows };
}

describe('events and links as OTLP JSON bytes', () => {
  it('writes every span\'s events and links as OTLP JSON, rows without them null, across batches', () => {
    const builder = new SpanBatchBuilder();
    generateTraces(builder, { traces: 300, rng: new Rng(11), nowUnixNano: 1_795_000_000_000_000_000n, errorRate: 0.3 });
    const batches = [trickyBatch(), builder.finish(), trickyBatch()];
    // a pool and a tiny first buffer: the columns grow many times
    const { events, links, rows } = writeBoth(batches, new ColumnArrayPool(), 1);
    const ev = texts(events, rows);
    const ln = texts(links, rows);
    let row = 0;
    let withEvents = 0;
    for (const b of batches) {
      for (let i = 0; i < b.length; i++, row++) {
        const e = expectedEvents(b, i);
        assert.deepEqual(ev[row] === undefined ? undefined : JSON.parse(ev[row]!), e, `events of row ${row}`);
        assert.deepEqual(ln[row] === undefined ? undefined : JSON.parse(ln[row]!), expectedLinks(b, i), `links of row ${row}`);
        if (e !== undefined) withEvents++;
      }
    }
    assert.ok(withEvents > 100, `${withEvents} spans with events`);
  });

  it('writes strings byte for byte as JSON.stringify does, and events the flush can compact', () => {
    const b = trickyBatch();
    const { events, links, rows } = writeBoth([b], FRESH_ARRAYS);
    for (const s of TRICKY_STRINGS) {
      const column = new JsonEntriesColumn('x', 1, FRESH_ARRAYS);
      column.begin(0);
      column.string(s);
      column.end();
      assert.equal(texts(column, 1)[0], JSON.stringify(s), `string ${JSON.stringify(s)}`);
    }
    const ev = texts(events, rows);
    for (let i = 0; i < rows; i++) {
      const text = ev[i];
      if (text === undefined) continue;
      // the canonical form: what a JSON.stringify of the parsed events gives, NaN and ±Infinity as OTLP's strings, -0 kept
      const bytes = new TextEncoder().encode(text);
      const out = new Uint8Array(bytes.length);
      assert.doesNotThrow(() => compactEventsJson(bytes, 0, bytes.length, b.startTimeUnixNano[i]!, out, 0), `row ${i}: ${text}`);
    }
    assert.match(ev[0]!, /\{"doubleValue":-0\}/);
    assert.match(ev[1]!, /"intValue":"-9223372036854775807"/);
    assert.match(ev[3]!, /\{"doubleValue":"Infinity"\}/);
    assert.match(texts(links, rows)[0]!, /^\[\{"traceId":"0{30}ab","spanId":"cd0{14}","traceState":"plain","attributes":\[\{"key":"kv","value":\{"kvlistValue":/);
  });

  it('numbers the entries of one column in row order, and gives a grown-out-of buffer back to the pool', () => {
    const pool = new ColumnArrayPool();
    const released: Uint8Array[] = [];
    const arrays: ColumnArrays = {
      uint32: (n) => pool.uint32(n),
      int32: (n) => pool.int32(n),
      uint8: (n, f) => pool.uint8(n, f),
      bigint64: (n) => pool.bigint64(n),
      float64: (n) => pool.float64(n),
      bytes: (n) => pool.bytes(n),
      release: (a) => {
        released.push(a);
        pool.release(a);
      },
    };
    const column = new JsonEntriesColumn('x', 3, arrays, 1024);
    column.begin(0);
    column.utf8('x'.repeat(5000));
    column.end();
    column.begin(2);
    column.ascii('[]');
    column.end();
    const c = column.toParquet() as Extract<ParquetColumn, { kind: 'string-entries' }>;
    assert.deepEqual([...c.indices], [0, 0, 1]);
    assert.deepEqual([...c.nulls!], [0, 1, 0]);
    assert.deepEqual([...c.entryStarts], [0, 5004, 5010]);
    assert.equal(released.length, 1, 'the first buffer went back when the column grew');
  });

  it('writes int64s as BigInt does and strings as JSON.stringify does, byte for byte', () => {
    const ints = [0n, 1n, -1n, 9n, 10n, 4294967295n, 4294967296n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 999999999n, 1000000000n, 1763790000123456789n, -1763790000123456789n, 2n ** 63n - 1n, -(2n ** 63n)];
    const rng = new Rng(7);
    for (let k = 0; k < 500; k++) ints.push(BigInt.asIntN(64, (BigInt(rng.int(0, 2 ** 31)) << 33n) ^ BigInt(rng.int(0, 2 ** 31))));
    const strings = ['plain', 'with "quote"', 'back\\slash', 'line\nbreak', 'tab\t', 'ünïcode', 'emoji 😀', 'lone \ud800 surrogate', '', 'x'.repeat(300)];
    const values = BigInt64Array.from(ints);
    const halves = new Int32Array(values.buffer);
    const column = new JsonEntriesColumn('x', ints.length + strings.length, FRESH_ARRAYS);
    ints.forEach((_, i) => {
      column.begin(i);
      column.int64(halves[2 * i]!, halves[2 * i + 1]!);
      column.end();
    });
    strings.forEach((s, i) => {
      column.begin(ints.length + i);
      column.string(s);
      column.end();
    });
    assert.deepEqual(texts(column, ints.length + strings.length), [...ints.map(String), ...strings.map((s) => JSON.stringify(s))]);
  });
});
