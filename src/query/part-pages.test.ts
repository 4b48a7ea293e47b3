import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, sqlString, type Row } from '../engine/duckdb.js';
import { sqlIdent } from '../engine/sql-quote.js';
import { lineFormColumns, UNIT_ROW_COLUMN, unitColumnName } from '../parts/log-unit-columns.js';
import { seededRandom } from '../model/seeded-random.js';
import { deltaBinaryPacked, encodeHybrid, hybridMaxBytes } from '../parts/parquet/encoding.js';
import { decodeHybrid } from '../parts/parquet/layout.js';
import { ThriftCompactReader } from '../parts/parquet/footer.js';
import { chunkStartOffset } from '../parts/parquet/metadata.js';
import { ParquetColumnFileWriter, writeParquetFile, type ParquetColumn } from '../parts/parquet/writer.js';
import { TRACE_PART_ENCODING } from '../parts/part-writer.js';
import { loadZstd } from '../parts/parquet/zstd.js';
import type { PartInfo } from '../parts/catalog.js';
import { definedIndexes, deltaBinaryPackedAt, hybridValuesAt, PartPagesCache, readMatchingRows, readRowsAt, scanRows, UnsupportedPartError, type PartPages, type ValueTest } from './part-pages.js';
import { lineFormColumnsOf, syntheticLogTable, unitsFormColumnsOf, withOwnValues, writeLogColumns, type LogTable, type UnitFormOptions } from '../../test/helpers/unit-form-logs.js';
import { lookupTrace, TraceIndexCache } from './trace-lookup.js';
import { assembleResourceSpans } from './otlp-assemble.js';
import { LookupHelper } from './lookup-helper.js';

/** Reads half of the columns on its own thread (the server's way); stopped after the tests. */
const helper = new LookupHelper();
after(() => helper.close());

const ROWS = 7000;
/** rows of the second 2048-row group: the column "span.sometimes" is null in all of them */
const QUIET_FROM = 2048;
const QUIET_TO = 4096;

interface Spans {
  ids: Uint8Array[];
  /** trace of each row (ascending) */
  traceOf: Int32Array;
  columns: ParquetColumn[];
}

/** Spans sorted by trace id, 1–40 rows per trace, columns of every kind with nulls in many patterns. */
function spans(seed: number): Spans {
  const next = seededRandom(seed);
  const traceOf = new Int32Array(ROWS);
  let traces = 0;
  for (let row = 0; row < ROWS; traces++) {
    const length = 1 + Math.floor(next() * 40);
    for (let k = 0; k < length && row < ROWS; k++) traceOf[row++] = traces;
  }
  const ids = Array.from({ length: traces }, () => Uint8Array.from({ length: 16 }, () => Math.floor(next() * 256)));
  ids.sort((a, b) => Buffer.compare(a, b));
  const traceIds = new Uint8Array(ROWS * 16);
  for (let row = 0; row < ROWS; row++) traceIds.set(ids[traceOf[row]!]!, row * 16);
  const nullsWhere = (p: number): Uint8Array => Uint8Array.from({ length: ROWS }, () => (next() < p ? 1 : 0));
  const words = ['GET /api/cart', 'SELECT cart', 'checkout', 'ünïcödé ✓', '', 'x'.repeat(300)];
  const doubles = [0, -0, 1.5, -2.25e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324];
  const columns: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: traceIds },
    { name: 'span_id', kind: 'fixed8', values: Uint8Array.from({ length: ROWS * 8 }, () => Math.floor(next() * 256)) },
    { name: 'name', kind: 'string', values: Array.from({ length: ROWS }, () => words[Math.floor(next() * words.length)]!) },
    { name: 'start_time_unix_nano', kind: 'int64', values: BigInt64Array.from({ length: ROWS }, (_, i) => 1_700_000_000_000_000_000n + BigInt(i) * 1_000_003n - BigInt(Math.floor(next() * 1000))) },
    { name: 'duration_nano', kind: 'int64', values: BigInt64Array.from({ length: ROWS }, () => BigInt(Math.floor(next() * 2 ** 20))) },
    { name: 'span.size::int', kind: 'int64', values: BigInt64Array.from({ length: ROWS }, () => BigInt(Math.floor(next() * 2 ** 40)) * (next() < 0.01 ? -1n : 1n)), nulls: nullsWhere(0.2) },
    { name: 'kind', kind: 'int32', values: Int32Array.from({ length: ROWS }, () => Math.floor(next() * 6) - (next() < 0.01 ? 2 ** 31 : 0)) },
    { name: 'has_exception', kind: 'boolean', values: Uint8Array.from({ length: ROWS }, () => (next() < 0.3 ? 1 : 0)), nulls: nullsWhere(0.5) },
    { name: 'span.ratio::double', kind: 'double', values: Float64Array.from({ length: ROWS }, () => doubles[Math.floor(next() * doubles.length)]!), nulls: nullsWhere(0.7) },
    { name: 'span.sometimes', kind: 'string', values: Array.from({ length: ROWS }, (_, row) => (row >= QUIET_FROM && row < QUIET_TO) || next() < 0.5 ? undefined : `v${Math.floor(next() * 50)}`) },
    { name: 'span.rare::int', kind: 'int64', values: BigInt64Array.from({ length: ROWS }, () => BigInt(Math.floor(next() * 1e9))), nulls: nullsWhere(0.995) },
    { name: 'span.never', kind: 'string', values: new Array<string | undefined>(ROWS).fill(undefined) },
    { name: 'span.unique', kind: 'string', values: Array.from({ length: ROWS }, (_, row) => `row ${row} ${next()}`) },
  ];
  return { ids, traceOf, columns };
}

function rowsOf(s: Spans, trace: number): { from: number; to: number } {
  const from = s.traceOf.indexOf(trace);
  return { from, to: s.traceOf.lastIndexOf(trace) + 1 };
}

function withoutNulls(rows: Row[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
}

async function withEngine(fn: (engine: Engine, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'part-pages-'));
  const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '256MB' });
  try {
    await loadZstd();
    await fn(engine, dir);
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** DuckDB's rows of the trace (nulls dropped), in file order. */
async function duckDbRows(engine: Engine, path: string, id: Uint8Array): Promise<Row[]> {
  const hex = Buffer.from(id).toString('hex');
  const rows = await engine.all(
    `SELECT * EXCLUDE (file_row_number) FROM read_parquet('${path}', file_row_number = true) WHERE trace_id BETWEEN from_hex('${hex}') AND from_hex('${hex}') ORDER BY file_row_number`,
  );
  return withoutNulls(rows);
}

/** Traces of the file read by the page reader (its rows, wider, the whole file, split ranges) equals DuckDB's rows. */
/** Data pages of each column chunk of row group `g`, by column name. */
function dataPagesOf(part: PartPages, g: number): Map<string, number> {
  const bytes = readFileSync(part.path);
  const out = new Map<string, number>();
  part.footer.rowGroups[g]!.columns.forEach((chunk, i) => {
    let pages = 0;
    for (let at = chunkStartOffset(chunk); at < chunkStartOffset(chunk) + chunk.totalBytes; ) {
      const reader = new ThriftCompactReader(bytes, at);
      const header = reader.struct();
      at = reader.offset + (header.get(3) as number);
      if (header.get(1) === 0) pages++;
    }
    out.set(part.footer.leaves[i]!.name, pages);
  });
  return out;
}

async function assertSameAsDuckDb(engine: Engine, path: string, s: Spans): Promise<void> {
  const part = new PartPagesCache().get(path);
  // every 5th trace and the last: DuckDB's query per trace is the test's time
  for (let trace = 0; trace < s.ids.length; trace = trace === s.ids.length - 1 ? trace + 1 : Math.min(trace + 5, s.ids.length - 1)) {
    const id = s.ids[trace]!;
    const expected = await duckDbRows(engine, path, id);
    assert.equal(expected.length, rowsOf(s, trace).to - rowsOf(s, trace).from);
    const exact = rowsOf(s, trace);
    const wide = { from: Math.max(0, exact.from - 2100), to: Math.min(ROWS, exact.to + 2100) };
    for (const ranges of [[exact], [wide], [{ from: 0, to: ROWS }], [{ from: 0, to: exact.from + 1 }, { from: exact.from + 1, to: exact.to + 5 }, { from: exact.to + 7, to: ROWS + 7 }]]) {
      assert.deepEqual(await readMatchingRows(part, ranges, 'trace_id', id), expected, `trace ${trace} in ${JSON.stringify(ranges)}`);
      assert.deepEqual(await readMatchingRows(part, ranges, 'trace_id', id, helper), expected, `trace ${trace} in ${JSON.stringify(ranges)}, with the helper thread`);
    }
  }
  assert.deepEqual(await readMatchingRows(part, [{ from: 0, to: ROWS }], 'trace_id', new Uint8Array(16).fill(0xff)), []);
}

describe('readMatchingRows', () => {
  it('reads what DuckDB reads from a DuckDB-written part (zstd, dictionaries, a row group where some columns are all null)', async () => {
    await withEngine(async (engine, dir) => {
      const s = spans(1);
      const source = join(dir, 'source.parquet');
      await writeParquetFile(source, ROWS, s.columns, { durable: false });
      const path = join(dir, 'part.parquet');
      // trace_id as a BLOB (BYTE_ARRAY), as the flush's COPY writes it; 2048-row groups (DuckDB's smallest)
      await engine.run(
        `COPY (SELECT * REPLACE (trace_id::BLOB AS trace_id) FROM read_parquet('${source}')) TO '${path}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9, ROW_GROUP_SIZE 2048, WRITE_BLOOM_FILTER false)`,
      );
      const quiet = await engine.all(`SELECT stats_null_count = row_group_num_rows AS all_null FROM parquet_metadata('${path}') WHERE path_in_schema = 'span.sometimes' AND row_group_id = 1`);
      assert.deepEqual(quiet, [{ all_null: true }], 'the second row group has no value of span.sometimes');
      await assertSameAsDuckDb(engine, path, s);
    });
  });

  for (const [label, codec] of [
    ['zstd', { codec: 'zstd', level: 3 }],
    ['gzip', { codec: 'gzip', level: 6 }],
    ['brotli', { codec: 'brotli', quality: 4 }],
    ['uncompressed', undefined],
  ] as const) {
    it(`reads what DuckDB reads from our writer's files (${label}, small pages, DELTA and PLAIN)`, async () => {
      await withEngine(async (engine, dir) => {
        const s = spans(2);
        const path = join(dir, 'ours.parquet');
        await writeParquetFile(path, ROWS, s.columns, {
          durable: false,
          rowGroupRows: 3000,
          pageBytes: 4096,
          ...(codec ? { codec, tryDeltaInt64: true, tryPlainStrings: true } : {}),
        });
        await assertSameAsDuckDb(engine, path, s);
      });
    });
  }

  it("reads what DuckDB reads from a trace part as the flush writes it (TRACE_PART_ENCODING: every column OPTIONAL, a zstd level per column, row groups written column by column)", async () => {
    await withEngine(async (engine, dir) => {
      const s = spans(5);
      const path = join(dir, 'flushed.parquet');
      const writer = new ParquetColumnFileWriter(path, ROWS, { ...TRACE_PART_ENCODING, rowGroupRows: 3000, pageBytes: 4096 });
      for (const c of s.columns) writer.add(c);
      writer.finish();
      await assertSameAsDuckDb(engine, path, s);
    });
  });

  it('reads a part whose columns have pages of their own sizes (columnPageBytes), the others one page per chunk', async () => {
    await withEngine(async (engine, dir) => {
      const s = spans(6);
      const path = join(dir, 'paged.parquet');
      const writer = new ParquetColumnFileWriter(path, ROWS, { ...TRACE_PART_ENCODING, rowGroupRows: 3000, columnPageBytes: { trace_id: 1024, span_id: 2000 } });
      for (const c of s.columns) writer.add(c);
      writer.finish();
      const pages = dataPagesOf(new PartPagesCache().get(path), 0);
      // 3000 rows: 16-byte trace ids 64 a page, 8-byte span ids 250 a page, times (1 MiB pages) one page
      assert.deepEqual([pages.get('trace_id'), pages.get('span_id'), pages.get('start_time_unix_nano')], [Math.ceil(3000 / 64), 3000 / 250, 1]);
      await assertSameAsDuckDb(engine, path, s);
    });
  });

  it('refuses types it does not convert as DuckDB does, and the lookup then reads the part with DuckDB', async () => {
    await withEngine(async (engine, dir) => {
      const id = '0a'.repeat(16);
      const path = join(dir, 'dated.parquet');
      await engine.run(
        `COPY (SELECT from_hex('${id}') AS trace_id, i::BIGINT AS start_time_unix_nano, 0::BIGINT AS duration_nano, DATE '2025-01-01' + i::INT AS day, i::UBIGINT AS big FROM range(3) t(i)) TO '${path}' (FORMAT parquet)`,
      );
      await assert.rejects(readMatchingRows(new PartPagesCache().get(path), [{ from: 0, to: 3 }], 'trace_id', Buffer.from(id, 'hex')), UnsupportedPartError);
      const part: PartInfo = { id: 'dated', path: 'dated.parquet', rows: 3, bytes: 1, minStartNs: '0', maxStartNs: '0', day: '2025-01-01', level: 0, createdAtMs: 0, columns: ['trace_id', 'start_time_unix_nano', 'duration_nano', 'day', 'big'], services: [] };
      const input = { dataDir: dir, parts: [part], staged: [] };
      const viaPages = await lookupTrace(engine, input, Buffer.from(id, 'hex'), new TraceIndexCache(), new PartPagesCache());
      const viaDuckDb = await lookupTrace(engine, input, Buffer.from(id, 'hex'), new TraceIndexCache());
      assert.equal(viaPages.length, 3);
      assert.deepEqual(viaPages, viaDuckDb);
    });
  });
});

describe('lookupTrace with the page reader', () => {
  it('answers the same OTLP JSON as with DuckDB, over several candidate parts', async () => {
    await withEngine(async (engine, dir) => {
      const columns = spans(3).columns;
      const s = spans(3);
      // the same traces in two parts (a trace split by a flush boundary), one part missing a column
      const files = [
        { path: 'p1.parquet', columns },
        { path: 'p2.parquet', columns: columns.filter((c) => c.name !== 'span.unique') },
      ];
      await writeParquetFile(join(dir, files[0]!.path), ROWS, files[0]!.columns, { durable: false, rowGroupRows: 2048, codec: { codec: 'zstd', level: 3 } });
      await writeParquetFile(join(dir, files[1]!.path), ROWS, files[1]!.columns, { durable: false });
      const parts: PartInfo[] = files.map((f, i) => ({ id: `p${i}`, path: f.path, rows: ROWS, bytes: 1, minStartNs: '0', maxStartNs: '0', day: '2025-01-01', level: 0, createdAtMs: 0, columns: f.columns.map((c) => c.name), services: [] }));
      const input = { dataDir: dir, parts, staged: [] };
      const indexes = new TraceIndexCache();
      const pages = new PartPagesCache();
      for (const trace of [0, 1, Math.floor(s.ids.length / 2), s.ids.length - 1]) {
        const id = s.ids[trace]!;
        const viaPages = await lookupTrace(engine, input, id, indexes, pages);
        const viaDuckDb = await lookupTrace(engine, input, id, indexes);
        const viaHelper = await lookupTrace(engine, input, id, indexes, pages, helper);
        assert.equal(viaPages.length, 2 * (rowsOf(s, trace).to - rowsOf(s, trace).from));
        assert.equal(JSON.stringify(assembleResourceSpans(viaPages)), JSON.stringify(assembleResourceSpans(viaDuckDb)));
        assert.equal(JSON.stringify(assembleResourceSpans(viaHelper)), JSON.stringify(assembleResourceSpans(viaDuckDb)));
      }
      assert.ok(helper.columnsRead > 0, 'the helper thread read some of the columns');
    });
  });

  it('reads every column on the calling thread once the helper is gone', async () => {
    await withEngine(async (engine, dir) => {
      const s = spans(5);
      await writeParquetFile(join(dir, 'p.parquet'), ROWS, s.columns, { durable: false, rowGroupRows: 2048, codec: { codec: 'zstd', level: 3 } });
      const part: PartInfo = { id: 'p', path: 'p.parquet', rows: ROWS, bytes: 1, minStartNs: '0', maxStartNs: '0', day: '2025-01-01', level: 0, createdAtMs: 0, columns: s.columns.map((c) => c.name), services: [] };
      const input = { dataDir: dir, parts: [part], staged: [] };
      const closed = new LookupHelper();
      const id = s.ids[2]!;
      const before = await lookupTrace(engine, input, id, new TraceIndexCache(), new PartPagesCache(), closed);
      await closed.close();
      assert.equal(closed.usable, false);
      const afterClose = await lookupTrace(engine, input, id, new TraceIndexCache(), new PartPagesCache(), closed);
      assert.equal(afterClose.length, rowsOf(s, 2).to - rowsOf(s, 2).from);
      assert.deepEqual(afterClose, before);
    });
  });
});

describe('RLE/bit-packed hybrid random access', () => {
  it('finds the values and the non-null positions decodeHybrid finds', () => {
    const next = seededRandom(4);
    for (const bitWidth of [1, 3, 8, 13, 24]) {
      for (let round = 0; round < 20; round++) {
        const count = 1 + Math.floor(next() * 3000);
        const values = new Uint32Array(count);
        // runs and noise, so both run kinds occur
        for (let i = 0; i < count; ) {
          const run = 1 + Math.floor(next() * 40);
          const value = Math.floor(next() * 2 ** bitWidth);
          const noisy = next() < 0.5;
          for (let k = 0; k < run && i < count; k++) values[i++] = noisy ? Math.floor(next() * 2 ** bitWidth) : value;
        }
        const buffer = new Uint8Array(hybridMaxBytes(count, bitWidth));
        const bytes = buffer.subarray(0, encodeHybrid(values, 0, count, bitWidth, buffer, 0));
        const all = new Uint32Array(count);
        decodeHybrid(bytes, 0, bytes.length, Math.max(1, bitWidth), all, count);
        const wanted = Int32Array.from({ length: count }, (_, i) => i).filter(() => next() < 0.1);
        const got = new Int32Array(wanted.length);
        hybridValuesAt(bytes, 0, bytes.length, bitWidth, wanted, got);
        assert.deepEqual([...got], [...wanted].map((i) => all[i]!));
        if (bitWidth === 1) {
          const at = new Int32Array(wanted.length);
          definedIndexes(bytes, 0, bytes.length, wanted, at);
          let ones = 0;
          const expected: number[] = [];
          for (let i = 0, k = 0; i < count; i++) {
            if (i === wanted[k]) {
              expected.push(all[i] ? ones : -1);
              k++;
            }
            if (all[i]) ones++;
          }
          assert.deepEqual([...at], expected);
        }
      }
    }
  });
});

describe('DELTA_BINARY_PACKED random access', () => {
  it('finds the values at any positions, whatever the bit widths (sums of skipped miniblocks included)', () => {
    const next = seededRandom(9);
    // value generators: sorted times near 2^60, small counters, random durations up to 2^34, full-range int64s
    const kinds: ((i: number, prev: bigint) => bigint)[] = [
      (_, prev) => prev + BigInt(Math.floor(next() * 5000)),
      () => BigInt(Math.floor(next() * 300)),
      () => BigInt(Math.floor(next() * 2 ** 34)),
      () => BigInt.asIntN(64, (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32))),
      (i) => (i % 2 === 0 ? -(2n ** 63n) : 2n ** 63n - 1n),
    ];
    for (const [kind, value] of kinds.entries()) {
      for (let round = 0; round < 12; round++) {
        const count = 1 + Math.floor(next() * 5000);
        const values = new BigInt64Array(count);
        let prev = kind === 0 ? 2n ** 60n : 0n;
        for (let i = 0; i < count; i++) values[i] = prev = BigInt.asIntN(64, value(i, prev));
        const bytes = deltaBinaryPacked(values, 0, count, undefined, count);
        // a few positions, a run of them (a trace's rows), or the first and the last
        const wanted = round % 3 === 0 ? [0, count - 1].filter((v, i, a) => a.indexOf(v) === i) : round % 3 === 1 ? Array.from({ length: count }, (_, i) => i).filter(() => next() < 0.02) : (() => {
          const from = Math.floor(next() * count);
          return Array.from({ length: Math.min(count - from, 1 + Math.floor(next() * 40)) }, (_, i) => from + i);
        })();
        assert.deepEqual(deltaBinaryPackedAt(bytes, 0, wanted), wanted.map((i) => values[i]!), `kind ${kind}, ${count} values`);
      }
    }
  });
});

describe('scanRows', () => {
  const MESSAGES = ['Connection REFUSED by db', 'checkout done', '\u212Aelvin scale', 'İstanbul office', 'cart_items emptied', 'ünïcödé ✓ cart'];
  /** text columns (one of few values, one of many), with nulls; an int column */
  function textColumns(seed: number): ParquetColumn[] {
    const next = seededRandom(seed);
    return [
      { name: 'name', kind: 'string', values: Array.from({ length: ROWS }, () => (next() < 0.3 ? undefined : MESSAGES[Math.floor(next() * MESSAGES.length)]!)) },
      { name: 'msg', kind: 'string', values: Array.from({ length: ROWS }, (_, i) => `Req ${i} took ${Math.floor(next() * 900)} ms ${Math.floor(next() * 2 ** 32).toString(16)}${i % 611 === 5 ? ' QuokkaFlux' : ''}`) },
      { name: 'n', kind: 'int64', values: BigInt64Array.from({ length: ROWS }, () => BigInt(Math.floor(next() * 100))) },
    ];
  }

  async function assertScansAsDuckDb(engine: Engine, path: string): Promise<void> {
    const part = new PartPagesCache().get(path);
    for (const word of ['quokkaflux', 'refused', 'cart', 'kelvin', 'i', 'stanbul', 'istanbul', 'req 12', '42', 'absent', '0 ms', 'took 12', '1 took', '999', 'ms 1a']) {
      for (const [first, last] of [[0, ROWS - 1], [100, 2500], [4000, 4000], [6990, 10_000]] as const) {
        const want = await engine.all(
          `SELECT file_row_number AS r FROM read_parquet('${path}', file_row_number = true) WHERE file_row_number BETWEEN ${first} AND ${last} ` +
            `AND (coalesce(contains(lower(name), '${word}'), false) OR coalesce(contains(lower(msg), '${word}'), false) OR n = 42) ORDER BY r`,
        );
        const got = await scanRows(part, first, last, [{ column: 'name', word }, { column: 'msg', word }, { column: 'n', number: 42 }, { column: 'missing', word }]);
        assert.deepEqual(got, want.map((r) => Number(r['r'])), `${word} in rows ${first}-${last}`);
      }
    }
  }

  it('finds and reads strings written as DELTA_LENGTH_BYTE_ARRAY (ids of one length, in runs) as DuckDB does', async () => {
    await withEngine(async (engine, dir) => {
      const next = seededRandom(9);
      let id = '';
      const ids = Array.from({ length: ROWS }, (_, i) => {
        if (next() < 0.1) return undefined;
        if (id === '' || next() < 0.7) id = Math.floor(next() * 2 ** 32).toString(16).padStart(8, '0') + Math.floor(next() * 2 ** 32).toString(16).padStart(8, '0');
        // a few of other lengths, the word among them
        return i % 611 === 5 ? `${id} QuokkaFlux` : i % 97 === 3 ? `İstanbul ${id}` : id;
      });
      const columns: ParquetColumn[] = [textColumns(4)[0]!, { name: 'msg', kind: 'string', values: ids }, textColumns(4)[2]!];
      const path = join(dir, 'ids.parquet');
      await writeParquetFile(path, ROWS, columns, { durable: false, rowGroupRows: 3000, pageBytes: 4096, codec: { codec: 'zstd', level: 1 }, tryPlainStrings: true, tryDeltaLengthStrings: true });
      const encodings = await engine.all(`SELECT DISTINCT encodings AS e FROM parquet_metadata('${path}') WHERE path_in_schema = 'msg'`);
      // (a row group may find a dictionary smaller)
      assert.ok(encodings.some((r) => String(r['e']).includes('DELTA_LENGTH_BYTE_ARRAY')), JSON.stringify(encodings));
      await assertScansAsDuckDb(engine, path);
      const word = ids.find((v) => v !== undefined && !v.includes(' '))!.slice(0, 16);
      assert.deepEqual(await scanRows(new PartPagesCache().get(path), 0, ROWS - 1, [{ column: 'msg', word }]), ids.flatMap((v, i) => (v?.toLowerCase().includes(word) ? [i] : [])));
      const rows = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 37 === 0 || i % 611 === 5 || i === ROWS - 1);
      const want = await engine.all(`SELECT * EXCLUDE (file_row_number) FROM read_parquet('${path}', file_row_number = true) WHERE file_row_number IN (${rows.join(',')}) ORDER BY file_row_number`);
      const dropNulls = (row: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
      assert.deepEqual(await readRowsAt(new PartPagesCache().get(path), rows), want.map(dropNulls));
    });
  });

  it("finds the rows DuckDB's contains(lower(…)) finds, in our writer's files and DuckDB's", async () => {
    await withEngine(async (engine, dir) => {
      const ours = join(dir, 'ours.parquet');
      await writeParquetFile(ours, ROWS, textColumns(3), { durable: false, rowGroupRows: 3000, pageBytes: 4096, codec: { codec: 'zstd', level: 3 }, tryPlainStrings: true });
      await assertScansAsDuckDb(engine, ours);
      const theirs = join(dir, 'theirs.parquet');
      await engine.run(`COPY (SELECT * FROM read_parquet('${ours}')) TO '${theirs}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)`);
      await assertScansAsDuckDb(engine, theirs);
    });
  });
});

/** rows of the units-form files */
const UNIT_FILE_ROWS = 300;
/** small row groups: a read or a scan crosses many, each with its own units */
const UNIT_FILE_GROUP_ROWS = 8;

/** The same lines in line form and in each units form: the merged file's lines hold their own values on some rows. */
function writeForms(dir: string): { line: string; units: string; reversed: string; mergedLine: string; merged: string } {
  const t = syntheticLogTable(UNIT_FILE_ROWS, UNIT_FILE_GROUP_ROWS, 16);
  // the merged file: even row groups in line form, and every 13th row of the odd ones;
  // lines of the odd ones with their own values of unit columns every 7th row
  const mergedLineForm = (row: number): boolean => Math.floor(row / UNIT_FILE_GROUP_ROWS) % 2 === 0 || row % 13 === 6;
  const own = withOwnValues(t, (row) => row % 7 === 3 && !mergedLineForm(row));
  const write = (name: string, table: LogTable, options?: UnitFormOptions): string => {
    const path = join(dir, `${name}.parquet`);
    writeLogColumns(path, UNIT_FILE_ROWS, UNIT_FILE_GROUP_ROWS, options ? unitsFormColumnsOf(table, options) : lineFormColumnsOf(table));
    return path;
  };
  return {
    line: write('line', t),
    units: write('units', t, {}),
    reversed: write('reversed', t, { placement: 'last-reversed' }),
    mergedLine: write('merged-line', own),
    merged: write('merged', own, { lineFormRow: mergedLineForm }),
  };
}

/** DuckDB's rows of a file in line form at `rows`, nulls dropped. */
async function duckDbRowsAt(engine: Engine, path: string, rows: readonly number[]): Promise<Row[]> {
  const got = await engine.all(`SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(path)}, file_row_number = true) WHERE file_row_number IN (${rows.join(', ')}) ORDER BY file_row_number`);
  return withoutNulls(got);
}

/** DuckDB's rows of a file in the units form at `rows`, by the format's rule: a line's own S, else `S::unit` at its `__unit_row`. */
async function duckDbJoinedRows(engine: Engine, path: string, rows: readonly number[]): Promise<Row[]> {
  const fileColumns = (await engine.all(`SELECT name FROM parquet_schema(${sqlString(path)}) WHERE num_children IS NULL`)).map((r) => String(r['name']));
  const has = new Set(fileColumns);
  const select = lineFormColumns(fileColumns).map((c) => {
    const unit = unitColumnName(c);
    if (!has.has(unit)) return `l.${sqlIdent(c)}`;
    return has.has(c) ? `coalesce(l.${sqlIdent(c)}, u.${sqlIdent(unit)}) AS ${sqlIdent(c)}` : `u.${sqlIdent(unit)} AS ${sqlIdent(c)}`;
  });
  const source = `read_parquet(${sqlString(path)}, file_row_number = true)`;
  const got = await engine.all(
    `SELECT ${select.join(', ')} FROM ${source} l LEFT JOIN ${source} u ON u.file_row_number = l.${sqlIdent(UNIT_ROW_COLUMN)} WHERE l.file_row_number IN (${rows.join(', ')}) ORDER BY l.file_row_number`,
  );
  return withoutNulls(got);
}

/** Rows across many row groups: scattered, a run over three groups, a group's first and last, unit rows themselves, the file's last. */
const UNIT_FILE_READ_ROWS = [...new Set([0, 1, 5, 7, 8, 9, 13, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 63, 64, 97, 150, 151, 199, 230, 287, 298, UNIT_FILE_ROWS - 1])].sort((a, b) => a - b);
const EVERY_ROW = Array.from({ length: UNIT_FILE_ROWS }, (_, i) => i);

describe('readRowsAt on a log part in the units form', () => {
  it('gives each row as the part in line form gives it: line-form names, unit values from the unit row, nulls left out', async () => {
    await withEngine(async (engine, dir) => {
      const f = writeForms(dir);
      const cache = new PartPagesCache();
      const want = await readRowsAt(cache.get(f.line), UNIT_FILE_READ_ROWS);
      assert.deepEqual(want, await duckDbRowsAt(engine, f.line, UNIT_FILE_READ_ROWS), 'the line-form file reads as DuckDB reads it');
      assert.deepEqual(await duckDbJoinedRows(engine, f.units, UNIT_FILE_READ_ROWS), want, "DuckDB's join of the units-form file gives the line form's rows (the files hold the same lines)");
      assert.deepEqual(await readRowsAt(cache.get(f.units), UNIT_FILE_READ_ROWS), want);
      assert.deepEqual(await readRowsAt(cache.get(f.units), EVERY_ROW), await readRowsAt(cache.get(f.line), EVERY_ROW), 'every row');
      for (const row of [0, 8, 77, UNIT_FILE_ROWS - 1]) assert.deepEqual(await readRowsAt(cache.get(f.units), [row]), await readRowsAt(cache.get(f.line), [row]), `row ${row} alone`);
    });
  });

  it('relies on __unit_row alone, not on where a row group puts its unit rows', async () => {
    await withEngine(async (engine, dir) => {
      const f = writeForms(dir);
      const cache = new PartPagesCache();
      assert.deepEqual(await duckDbJoinedRows(engine, f.reversed, UNIT_FILE_READ_ROWS), await duckDbRowsAt(engine, f.line, UNIT_FILE_READ_ROWS));
      assert.deepEqual(await readRowsAt(cache.get(f.reversed), EVERY_ROW), await readRowsAt(cache.get(f.line), EVERY_ROW));
    });
  });

  it("reads a merged file (line-form row groups beside units-form ones, lines in line form among units) with a line's own value of S winning over S::unit", async () => {
    await withEngine(async (engine, dir) => {
      const f = writeForms(dir);
      const cache = new PartPagesCache();
      const want = await duckDbRowsAt(engine, f.mergedLine, UNIT_FILE_READ_ROWS);
      assert.deepEqual(await duckDbJoinedRows(engine, f.merged, UNIT_FILE_READ_ROWS), want);
      assert.deepEqual(await readRowsAt(cache.get(f.merged), UNIT_FILE_READ_ROWS), want);
      assert.deepEqual(await readRowsAt(cache.get(f.merged), EVERY_ROW), await readRowsAt(cache.get(f.mergedLine), EVERY_ROW));
      // the own values are there to be seen (a reader taking S::unit first would give the unit's)
      assert.ok((await readRowsAt(cache.get(f.merged), [10])).every((r) => r['body.host'] === 'own 10'));
    });
  });

  it('reads __unit_row however it is encoded: DELTA (the flush), PLAIN and dictionary (our writer without DELTA), PLAIN (a copy DuckDB wrote)', async () => {
    await withEngine(async (engine, dir) => {
      const f = writeForms(dir);
      // 64-row groups: the dictionary pays there
      const t = syntheticLogTable(UNIT_FILE_ROWS, 64, 16);
      const line = join(dir, 'line-64.parquet');
      writeLogColumns(line, UNIT_FILE_ROWS, 64, lineFormColumnsOf(t));
      const dictionary = join(dir, 'dictionary.parquet');
      writeLogColumns(dictionary, UNIT_FILE_ROWS, 64, unitsFormColumnsOf(t), { tryDeltaInt64: false });
      const plain = join(dir, 'plain.parquet');
      writeLogColumns(plain, UNIT_FILE_ROWS, UNIT_FILE_GROUP_ROWS, unitsFormColumnsOf(syntheticLogTable(UNIT_FILE_ROWS, UNIT_FILE_GROUP_ROWS, 16)), { tryDeltaInt64: false });
      const duckDb = join(dir, 'duckdb.parquet');
      await engine.run(`COPY (SELECT * FROM read_parquet(${sqlString(f.units)})) TO ${sqlString(duckDb)} (FORMAT parquet, COMPRESSION zstd)`);
      const encodings = async (path: string): Promise<string> =>
        (await engine.all(`SELECT DISTINCT encodings AS e FROM parquet_metadata(${sqlString(path)}) WHERE path_in_schema = '${UNIT_ROW_COLUMN}' ORDER BY e`)).map((r) => String(r['e'])).join(' / ');
      assert.match(await encodings(f.units), /DELTA_BINARY_PACKED/);
      assert.equal(await encodings(plain), 'PLAIN, RLE');
      assert.match(await encodings(dictionary), /DICTIONARY/);
      assert.equal(await encodings(duckDb), 'PLAIN');
      const cache = new PartPagesCache();
      const tests: ValueTest[] = [{ column: 'body.host', word: 'timeout' }, { column: 'body.http.status::int', number: 404 }];
      for (const [path, reference] of [[plain, f.line], [dictionary, line], [duckDb, f.line]] as const) {
        assert.deepEqual(await readRowsAt(cache.get(path), EVERY_ROW), await readRowsAt(cache.get(reference), EVERY_ROW), path);
        for (const [first, last] of [[0, UNIT_FILE_ROWS - 1], [13, 50]] as const) {
          assert.deepEqual(await scanRows(cache.get(path), first, last, tests), await scanRows(cache.get(reference), first, last, tests), `${path}, rows ${first}-${last}`);
        }
      }
    });
  });

  it('returns no unit column names and no __unit_row', async () => {
    await withEngine(async (_engine, dir) => {
      const f = writeForms(dir);
      for (const path of [f.units, f.merged]) {
        const rows = await readRowsAt(new PartPagesCache().get(path), EVERY_ROW);
        const keys = new Set(rows.flatMap((r) => Object.keys(r)));
        assert.deepEqual([...keys].filter((k) => k.endsWith('::unit') || k === UNIT_ROW_COLUMN), []);
      }
    });
  });
});

describe('readMatchingRows on a log part in the units form', () => {
  it('picks rows by a line column and gives them whole; a key stored once per unit goes to DuckDB', async () => {
    await withEngine(async (_engine, dir) => {
      const f = writeForms(dir);
      const cache = new PartPagesCache();
      for (const n of [0, 2, 13, 40, UNIT_FILE_ROWS / 4 - 1]) {
        const key = new Uint8Array(16);
        key[0] = 0xab;
        new DataView(key.buffer).setUint32(12, n);
        const ranges = [{ from: 0, to: UNIT_FILE_ROWS }];
        const want = await readMatchingRows(cache.get(f.line), ranges, 'line_key', key);
        assert.equal(want.length, 4);
        for (const path of [f.units, f.reversed]) assert.deepEqual(await readMatchingRows(cache.get(path), ranges, 'line_key', key), want, `key ${n}`);
        assert.deepEqual(await readMatchingRows(cache.get(f.merged), ranges, 'line_key', key), await readMatchingRows(cache.get(f.mergedLine), ranges, 'line_key', key), `key ${n}, merged`);
      }
      await assert.rejects(readMatchingRows(cache.get(f.units), [{ from: 0, to: UNIT_FILE_ROWS }], 'trace_id', new Uint8Array(16)), UnsupportedPartError);
      await assert.rejects(readMatchingRows(cache.get(f.merged), [{ from: 0, to: UNIT_FILE_ROWS }], 'trace_id', new Uint8Array(16)), UnsupportedPartError);
    });
  });
});

describe('scanRows on a log part in the units form', () => {
  /** Word tests on a unit text column, a line text column and a unit template piece; number tests on a unit int64, a unit int32 and a line int64. */
  function testsFor(word: string, number: number): ValueTest[] {
    return [
      { column: 'body.host', word },
      { column: 'body.msg', word },
      { column: 'body.user.id::template.0', word },
      { column: 'body.http.status::int', number },
      { column: 'body.http.duration_ms::double::decimal.2', number },
      { column: 'body.n::int', number },
      { column: 'body.absent', word },
    ];
  }
  const WORDS: [string, number][] = [['timeout', 42], ['web', 404], ['checkout', -7], ['u1', 500], ['absent-word', 123456], ['own 1', 9001], ['-', 7]];
  const RANGES: [number, number][] = [[0, UNIT_FILE_ROWS - 1], [13, 50], [8, 15], [77, 77], [290, 10_000], [5, 4]];

  it("finds the rows the line-form part's scan finds, over any row range", async () => {
    await withEngine(async (engine, dir) => {
      const f = writeForms(dir);
      const cache = new PartPagesCache();
      for (const [word, number] of WORDS) {
        const tests = testsFor(word, number);
        for (const [first, last] of RANGES) {
          const want = await scanRows(cache.get(f.line), first, last, tests);
          for (const path of [f.units, f.reversed]) assert.deepEqual(await scanRows(cache.get(path), first, last, tests), want, `${word} / ${number} in rows ${first}-${last} of ${path}`);
          assert.deepEqual(await scanRows(cache.get(f.merged), first, last, tests), await scanRows(cache.get(f.mergedLine), first, last, tests), `${word} / ${number} in rows ${first}-${last}, merged`);
        }
        // against DuckDB over the line-form file
        const sql =
          `SELECT file_row_number AS r FROM read_parquet(${sqlString(f.line)}, file_row_number = true) WHERE ` +
          `coalesce(contains(lower("body.host"), '${word}'), false) OR coalesce(contains(lower("body.msg"), '${word}'), false) OR coalesce(contains(lower("body.user.id::template.0"), '${word}'), false) ` +
          `OR "body.http.status::int" = ${number} OR "body.http.duration_ms::double::decimal.2" = ${number} OR "body.n::int" = ${number} ORDER BY r`;
        const reference = (await engine.all(sql)).map((r) => Number(r['r']));
        assert.deepEqual(await scanRows(cache.get(f.units), 0, UNIT_FILE_ROWS - 1, tests), reference, `${word} / ${number} as DuckDB finds it`);
      }
    });
  });

  it('finds lines by their unit rows only: a word held by unit values alone', async () => {
    await withEngine(async (_engine, dir) => {
      const f = writeForms(dir);
      const cache = new PartPagesCache();
      const want = await scanRows(cache.get(f.line), 0, UNIT_FILE_ROWS - 1, [{ column: 'body.host', word: 'cart-7' }]);
      // more lines than units hold it (the test sees each line, not each unit row)
      const units = await scanRows(cache.get(f.units), 0, UNIT_FILE_ROWS - 1, [{ column: unitColumnName('body.host'), word: 'cart-7' }]);
      assert.ok(want.length > units.length && units.length > 0, `${want.length} lines, ${units.length} unit rows`);
      assert.deepEqual(await scanRows(cache.get(f.units), 0, UNIT_FILE_ROWS - 1, [{ column: 'body.host', word: 'cart-7' }]), want);
    });
  });
});
