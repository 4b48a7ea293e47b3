// A sparse chunk compacted to its rows with a value is encoded to the bytes
// of the same chunk encoded row by row (column-chunk.ts encodeRows).

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EncodingChoice, type ChunkOptions, type EncodedColumnChunk, encodeColumnChunk, encodeRows } from './column-chunk.js';
import { type ParquetColumn, type ParquetColumnKind, prepareColumn } from './columns.js';
import { loadPageCodec } from './compression.js';
import { ownEntriesColumn, plainEntries, seededRandom, stringEntriesColumn } from './testing.js';

const GROUP_ROWS = 4096;
const OPTIONS: ChunkOptions = { tryDictionary: true, pageBytes: 1 << 20, codec: { codec: 'zstd', level: 3 }, tryDeltaInt64: true, tryDeltaInt32: true, tryPlainStrings: true };
/** As the head writes its staging files (writer.ts, no codec). */
const UNCOMPRESSED: ChunkOptions = { tryDictionary: true, pageBytes: 1 << 20 };

/** `rows` rows of which about `share` have a value; nulls marked `marker`, the mask at `maskOffset` bytes into its buffer. */
function sparseMask(random: () => number, rows: number, share: number, marker: number, maskOffset: number): Uint8Array {
  const mask = new Uint8Array(maskOffset + rows).subarray(maskOffset);
  for (let i = 0; i < rows; i++) mask[i] = random() < share ? 0 : marker;
  return mask;
}

function columnOf(kind: Exclude<ParquetColumnKind, 'string'>, random: () => number, rows: number, nulls: Uint8Array): ParquetColumn {
  const name = `c_${kind}`;
  switch (kind) {
    case 'int64':
      return { name, kind, values: BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(random() * 50)) * 1_000_000_007n), nulls };
    case 'int32':
      return { name, kind, values: Int32Array.from({ length: rows }, () => Math.floor(random() * 2 ** 32) - 2 ** 31), nulls };
    case 'double':
      return { name, kind, values: Float64Array.from({ length: rows }, () => (random() < 0.1 ? NaN : random() * 100)), nulls };
    case 'boolean':
      return { name, kind, values: Uint8Array.from({ length: rows }, () => (random() < 0.3 ? 1 : 0)), nulls };
    case 'fixed8':
    case 'fixed16': {
      const width = kind === 'fixed8' ? 8 : 16;
      return { name, kind, values: Uint8Array.from({ length: rows * width }, () => Math.floor(random() * 256)), nulls };
    }
    case 'string-entries': {
      // a few values shared by many rows (a dictionary), one value a row (PLAIN), or an entry of its own a row (the events)
      const form = random();
      const pool = form < 0.4 ? 5 : rows;
      const values = Array.from({ length: rows }, (_, i) => (nulls[i] !== 0 ? undefined : `v${Math.floor(random() * pool)}`));
      return form < 0.8 ? stringEntriesColumn(name, values) : ownEntriesColumn(name, values);
    }
  }
}

/**
 * Distinct entries, not in the order the rows first use them and one no row
 * uses (as a staging file's attribute column, its entries numbered across
 * batches): an uncompressed file of one row group writes them as they are.
 */
function distinctEntriesColumn(name: string, values: ReadonlyArray<string | undefined>): ParquetColumn {
  const distinct = ['unused', ...new Set(values.filter((v): v is string => v !== undefined))].reverse();
  const at = new Map(distinct.map((v, e) => [v, e]));
  const indices = Uint32Array.from(values, (v) => (v === undefined ? 0 : at.get(v)!));
  const nulls = Uint8Array.from(values, (v) => (v === undefined ? 1 : 0));
  return { name, kind: 'string-entries', ...plainEntries(distinct), indices, nulls, distinctEntries: true };
}

function bytesOf(chunk: EncodedColumnChunk): Buffer {
  return Buffer.concat(chunk.parts);
}

function assertSameChunk(actual: EncodedColumnChunk, expected: EncodedColumnChunk, where: string): void {
  assert.deepEqual(actual.statistics, expected.statistics, where);
  assert.deepEqual(actual.encodings, expected.encodings, where);
  assert.deepEqual(actual.pages, expected.pages, where);
  assert.deepEqual(actual.dictionary, expected.dictionary, where);
  assert.ok(bytesOf(actual).equals(bytesOf(expected)), `${where}: bytes differ`);
}

/** Shares of rows with a value, null marks, the mask's offset into its buffer. */
const SHARES = [[0.002, 1, 0], [0.05, 1, 3], [0.3, 2, 1], [0.45, 1, 2], [0.7, 1, 0]] as const;

const KINDS = ['int64', 'int32', 'double', 'boolean', 'fixed8', 'fixed16', 'string-entries'] as const;

describe('sparse column chunks', () => {
  before(() => loadPageCodec(OPTIONS.codec));

  for (const kind of KINDS) {
    it(`encodes a sparse ${kind} chunk to the bytes and statistics of the chunk encoded row by row`, () => {
      const random = seededRandom(kind.length * 7919);
      for (const [share, marker, maskOffset] of SHARES) {
        const rows = 3 * GROUP_ROWS + 77;
        const column = prepareColumn(columnOf(kind, random, rows, sparseMask(random, rows, share, marker, maskOffset)), rows, true);
        const compacted = new EncodingChoice();
        const rowByRow = new EncodingChoice();
        for (let start = 0; start < rows; start += GROUP_ROWS) {
          const end = Math.min(rows, start + GROUP_ROWS);
          const expected = encodeRows(column, start, end, OPTIONS, rowByRow);
          const actual = encodeColumnChunk(column, start, end, OPTIONS, compacted);
          assertSameChunk(actual, expected, `${kind}, ${share} present, rows ${start}-${end}`);
        }
      }
    });

    it(`encodes a sparse ${kind} chunk of uncompressed pages (the head's staging files) to the bytes of the chunk encoded row by row, whole column or not, still after the next chunks`, () => {
      const random = seededRandom(kind.length * 104_729);
      for (const [share, marker, maskOffset] of SHARES) {
        for (const groupRows of [GROUP_ROWS, 3 * GROUP_ROWS + 77]) {
          const rows = 3 * GROUP_ROWS + 77;
          const column = prepareColumn(columnOf(kind, random, rows, sparseMask(random, rows, share, marker, maskOffset)), rows);
          const chunks: [EncodedColumnChunk, EncodedColumnChunk, string][] = [];
          for (let start = 0; start < rows; start += groupRows) {
            const end = Math.min(rows, start + groupRows);
            chunks.push([encodeColumnChunk(column, start, end, UNCOMPRESSED), encodeRows(column, start, end, UNCOMPRESSED), `${kind}, ${share} present, rows ${start}-${end} of ${rows}`]);
          }
          // an uncompressed page may be a view of the compacted values: they must outlive the next chunks
          for (const [actual, expected, where] of chunks) assertSameChunk(actual, expected, where);
        }
      }
    });

    it(`encodes a sparse ${kind} chunk of as many rows as its kind's pages allow to the bytes of the chunk encoded row by row`, () => {
      // pages of 4 KiB: a chunk of 4096 / (bytes a row at most) rows is one page of any encoding of the kind
      const random = seededRandom(kind.length * 31);
      const rowsAtMost = { boolean: 4096, 'string-entries': 1024, int32: 1024, int64: 512, double: 512, fixed8: 512, fixed16: 256 }[kind];
      for (const options of [{ ...OPTIONS, pageBytes: 4096 }, { ...UNCOMPRESSED, pageBytes: 4096 }]) {
        for (const rows of [rowsAtMost, rowsAtMost + 1, 2 * rowsAtMost]) {
          const column = prepareColumn(columnOf(kind, random, rows, sparseMask(random, rows, 0.3, 1, 0)), rows, true);
          const where = `${kind}, ${rows} rows, ${options.codec === undefined ? 'uncompressed' : 'compressed'}`;
          assertSameChunk(encodeColumnChunk(column, 0, rows, options, new EncodingChoice()), encodeRows(column, 0, rows, options, new EncodingChoice()), where);
        }
      }
    });
  }

  it('writes a sparse string chunk of every row of an uncompressed file with the column\'s distinct entries as they are, as the rows would', () => {
    const random = seededRandom(17);
    for (const [share, marker, maskOffset] of SHARES) {
      const rows = GROUP_ROWS + 77;
      const nulls = sparseMask(random, rows, share, marker, maskOffset);
      const values = Array.from({ length: rows }, (_, i) => (nulls[i] !== 0 ? undefined : `v${Math.floor(random() * 5)}`));
      const column = prepareColumn(distinctEntriesColumn('c', values), rows);
      const where = `${share} present`;
      const expected = encodeRows(column, 0, rows, UNCOMPRESSED);
      // the column's entries as they are: the dictionary holds the one no row uses
      assert.equal(expected.dictionary?.entries, new Set(values.filter((v) => v !== undefined)).size + 1, where);
      assertSameChunk(encodeColumnChunk(column, 0, rows, UNCOMPRESSED), expected, where);
    }
  });

  it('compacts a chunk of few values (the case the bytes above compare)', async () => {
    // the path under test must be taken: a sparse chunk's pages are cut in its compacted rows
    const { compactSparseChunk } = await import('./sparse-chunk.js');
    const rows = GROUP_ROWS;
    const random = seededRandom(3);
    const column = prepareColumn(columnOf('int64', random, rows, sparseMask(random, rows, 0.01, 1, 1)), rows, true);
    const compacted = compactSparseChunk(column, 0, rows, OPTIONS.pageBytes);
    assert.ok(compacted !== undefined);
    assert.equal(compacted.presentRows?.rows, rows);
    assert.equal(compacted.nulls, undefined);
    const dense = prepareColumn(columnOf('int64', random, rows, sparseMask(random, rows, 0.9, 1, 0)), rows, true);
    assert.equal(compactSparseChunk(dense, 0, rows, OPTIONS.pageBytes), undefined);
  });
});
