import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError } from '../../model/errors.js';
import { encodeAll, rng, STALE_MARKER, timestamps, values } from './chunk-test-helpers.js';
import type { ChunkEncoding } from './header.js';
import { chunkInfo, chunkIterator, sampleAt } from './read.js';

/** Reads every sample; returns how many the chunk gave. */
function drain(chunk: Uint8Array): number {
  const it = chunkIterator(chunk);
  let n = 0;
  while (it.next()) n++;
  return n;
}

function sampleChunk(encoding: ChunkEncoding, valueShape: 'counter' | 'gauge' | 'specials', seed: number): Uint8Array {
  const rand = rng(seed);
  const ts = timestamps('jitter', 200, rand);
  const vs = values(valueShape, 200, rand);
  vs[17] = STALE_MARKER;
  return encodeAll(encoding, { maxBytes: 1024 }, { ts, vs })[0]!;
}

describe('corrupt and truncated chunks', () => {
  for (const encoding of ['double-delta', 'varbit'] as const) {
    it(`fails with a DecodeError on a ${encoding} chunk cut short at any byte`, () => {
      for (const shape of ['counter', 'gauge', 'specials'] as const) {
        const chunk = sampleChunk(encoding, shape, 3);
        for (let len = 0; len < chunk.length; len++) {
          const cut = chunk.subarray(0, len);
          assert.throws(
            () => {
              chunkInfo(cut);
              drain(cut);
            },
            (e: unknown) => e instanceof DecodeError && /^chunks: /.test(e.message),
            `${shape}: cut at ${len} of ${chunk.length}`,
          );
        }
      }
    });

    it(`ends every read of a ${encoding} chunk with random damage: samples or a DecodeError, never a hang`, () => {
      const rand = rng(99);
      for (let trial = 0; trial < 2000; trial++) {
        const chunk = sampleChunk(encoding, trial % 2 === 0 ? 'counter' : 'gauge', trial).slice();
        const flips = 1 + Math.floor(rand() * 3);
        for (let f = 0; f < flips; f++) chunk[Math.floor(rand() * chunk.length)] ^= 1 << Math.floor(rand() * 8);
        try {
          const count = chunkInfo(chunk).count;
          assert.equal(drain(chunk), count);
          if (count > 0) sampleAt(chunk, count - 1);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
    });
  }

  it('names the unknown encoding byte in the error', () => {
    for (const id of [0, 3, 255]) {
      const chunk = new Uint8Array([id, 1, 0, 0, 0]);
      assert.throws(() => chunkIterator(chunk), { message: `chunks: unknown encoding ${id}` });
    }
  });

  it('refuses a double-delta chunk whose count promises more records than it holds', () => {
    const chunk = sampleChunk('double-delta', 'counter', 1).slice();
    chunk[1] = 0xff;
    chunk[2] = 0x7f;
    assert.throws(() => drain(chunk), /chunks: double-delta: 32767 samples need \d+ bytes, chunk has \d+/);
  });

  it('refuses a varbit chunk whose count promises more samples than its bit stream holds', () => {
    const chunk = sampleChunk('varbit', 'gauge', 1).slice();
    chunk[2] = 0x7f;
    assert.throws(() => drain(chunk), /chunks: varbit stream ends at bit \d+/);
  });
});
