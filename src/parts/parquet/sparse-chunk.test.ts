// A sparse chunk compacted to its rows with a value is encoded to the bytes
// of the same chunk encoded row by row (column-chunk.ts encodeRows).

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EncodingChoice, type ChunkOptions, type EncodedColumnChunk, encodeColumnChunk, encodeRows } from './column-chunk.js';
import { type ParquetColumn, type ParquetColumnKind, prepareColumn } from './columns.js';
import { loadPageCodec } from './compression.js';
import { ownEntriesColumn, seededRandom, stringEntriesColumn } from './testing.js';

const GROUP_ROWS = 4096;
const OPTIONS: ChunkOptions = { tryDictionary: true, pageBytes: 1 << 20, codec: { codec: 'zstd', level: 3 }, tryDeltaInt64: true, tryDeltaInt32: true, tryPlainStrings: true };

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

function bytesOf(chunk: EncodedColumnChunk): Buffer {
  return Buffer.concat(chunk.parts);
}

const KINDS = ['int64', 'int32', 'double', 'boolean', 'fixed8', 'fixed16', 'string-entries'] as const;

describe('sparse column chunks', () => {
  before(() => loadPageCodec(OPTIONS.codec));

  for (const kind of KINDS) {
    it(`encodes a sparse ${kind} chunk to the bytes and statistics of the chunk encoded row by row`, () => {
      const random = seededRandom(kind.length * 7919);
      for (const [share, marker, maskOffset] of [[0.002, 1, 0], [0.05, 1, 3], [0.3, 2, 1], [0.45, 1, 2], [0.7, 1, 0]] as const) {
        const rows = 3 * GROUP_ROWS + 77;
        const column = prepareColumn(columnOf(kind, random, rows, sparseMask(random, rows, share, marker, maskOffset)), rows, true);
        const compacted = new EncodingChoice();
        const rowByRow = new EncodingChoice();
        for (let start = 0; start < rows; start += GROUP_ROWS) {
          const end = Math.min(rows, start + GROUP_ROWS);
          const expected = encodeRows(column, start, end, OPTIONS, rowByRow);
          const actual = encodeColumnChunk(column, start, end, OPTIONS, compacted);
          const where = `${kind}, ${share} present, rows ${start}-${end}`;
          assert.deepEqual(actual.statistics, expected.statistics, where);
          assert.deepEqual(actual.encodings, expected.encodings, where);
          assert.deepEqual(actual.pages, expected.pages, where);
          assert.ok(bytesOf(actual).equals(bytesOf(expected)), `${where}: bytes differ`);
        }
      }
    });
  }

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
