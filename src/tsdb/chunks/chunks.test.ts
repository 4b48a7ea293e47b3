import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkAppender } from './appender.js';
import {
  assertChunksHold,
  bitsOf,
  encodeAll,
  rng,
  STALE_MARKER,
  START_MS,
  TIME_SHAPES,
  timestamps,
  VALUE_SHAPES,
  values,
  type Samples,
} from './chunk-test-helpers.js';
import { XOR_MODE } from './decimal.js';
import type { ChunkEncoding } from './header.js';
import { chunkInfo, chunkIterator, sampleAt } from './read.js';
import { TIME_MODEL_DOD, TIME_MODEL_GRID } from './varbit-time.js';

const ENCODINGS: readonly (ChunkEncoding | 'auto')[] = ['double-delta', 'varbit', 'auto'];
const CUTS = [{ maxBytes: 1024 }, { maxSamples: 120, maxBytes: Infinity }, { maxBytes: 48 }];
const SEEDS = 4;

function series(seed: number, timeShape: (typeof TIME_SHAPES)[number], valueShape: (typeof VALUE_SHAPES)[number]): Samples {
  const rand = rng(seed * 7919 + TIME_SHAPES.indexOf(timeShape) * 31 + VALUE_SHAPES.indexOf(valueShape));
  const n = 50 + Math.floor(rand() * 1500);
  const ts = timestamps(timeShape, n, rand);
  return { ts, vs: values(valueShape, ts.length, rand) };
}

function regularCounter(n: number, stepMs = 1000): Samples {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < n; i++) {
    ts.push(START_MS + i * stepMs);
    vs.push(i * 7);
  }
  return { ts, vs };
}

describe('chunk round trip (seeded property test)', () => {
  for (const encoding of ENCODINGS) {
    for (const cut of CUTS) {
      it(`returns every sample bit for bit, sequentially and by index, for ${encoding} chunks cut at ${'maxSamples' in cut ? `${cut.maxSamples} samples` : `${cut.maxBytes} bytes`}`, () => {
        for (let seed = 1; seed <= SEEDS; seed++) {
          for (const timeShape of TIME_SHAPES) {
            for (const valueShape of VALUE_SHAPES) {
              const s = series(seed, timeShape, valueShape);
              const chunks = encodeAll(encoding, cut, s);
              assertChunksHold(chunks, s, `${encoding} seed ${seed} ${timeShape}/${valueShape}`);
              for (const c of chunks) {
                if ('maxBytes' in cut) assert.ok(c.length <= cut.maxBytes || chunkInfo(c).count === 1, `chunk of ${c.length} bytes`);
                if ('maxSamples' in cut) assert.ok(chunkInfo(c).count <= cut.maxSamples);
                if (encoding !== 'auto') assert.equal(chunkInfo(c).encoding, encoding);
              }
            }
          }
        }
      });
    }
  }
});

describe('chunk boundaries', () => {
  it('cuts by default at 1024 bytes or 480 samples, whichever comes first', () => {
    const rand = rng(8);
    const constant: Samples = { ts: timestamps('regular', 1000, rand), vs: Array(1000).fill(7) };
    assert.deepEqual(encodeAll('varbit', {}, constant).map((c) => chunkInfo(c).count), [480, 480, 40]);
    const noisy: Samples = { ts: timestamps('jitter', 1000, rand), vs: values('random-bits', 1000, rand) };
    for (const c of encodeAll('varbit', {}, noisy)) assert.ok(c.length <= 1024 && chunkInfo(c).count < 480);
  });

  it('cuts at exactly maxSamples samples when a sample count is the rule', () => {
    const s = regularCounter(1000);
    const counts = encodeAll('varbit', { maxSamples: 120 }, s).map((c) => chunkInfo(c).count);
    assert.deepEqual(counts, [...Array(8).fill(120), 40]);
  });

  it('fills a chunk up to maxBytes: the sample that was refused would not have fitted', () => {
    const rand = rng(5);
    const s: Samples = { ts: timestamps('jitter', 3000, rand), vs: values('gauge', 3000, rand) };
    for (const encoding of ['double-delta', 'varbit'] as const) {
      let k = 0;
      for (const chunk of encodeAll(encoding, { maxBytes: 1024 }, s).slice(0, -1)) {
        const n = chunkInfo(chunk).count;
        assert.ok(chunk.length <= 1024);
        const bigger = new ChunkAppender(encoding, { maxBytes: Infinity });
        for (let i = 0; i <= n; i++) bigger.append(s.ts[k + i]!, s.vs[k + i]!);
        assert.ok(bigger.byteLength > 1024, `${encoding}: ${n + 1} samples take ${bigger.byteLength} bytes`);
        k += n;
      }
    }
  });

  it('refuses a sample without changing the chunk, so the refused sample starts the next one', () => {
    const a = new ChunkAppender('varbit', { maxBytes: 40 });
    let t = START_MS;
    while (a.append(t, Math.sin(t))) t += 1000;
    const before = a.bytes();
    assert.equal(a.append(t, Math.sin(t)), false);
    assert.deepEqual(a.bytes(), before);
  });

  it('stops at 65535 samples even when the samples cost nothing', () => {
    const a = new ChunkAppender('double-delta', { maxBytes: 1024, maxSamples: 65535 });
    let n = 0;
    while (a.append(START_MS + n * 1000, 1)) n++;
    assert.equal(n, 65535);
    assert.ok(a.byteLength < 32, `a constant, regular chunk is only its header: ${a.byteLength} bytes`);
    assert.equal(sampleAt(a.bytes(), 65534).t, START_MS + 65534 * 1000);
  });

  it('reads a chunk that sits at an odd offset inside a larger buffer, as in a block file', () => {
    const rand = rng(13);
    const s: Samples = { ts: timestamps('jitter', 300, rand), vs: values('counter-cents', 300, rand) };
    for (const encoding of ['double-delta', 'varbit'] as const) {
      const [chunk] = encodeAll(encoding, { maxBytes: Infinity, maxSamples: 300 }, s);
      const file = new Uint8Array(chunk!.length + 20).fill(0xff);
      file.set(chunk!, 7);
      assertChunksHold([file.subarray(7, 7 + chunk!.length)], s, `${encoding} in a larger buffer`);
    }
  });

  it('writes an empty chunk as a header with no samples and an empty time range', () => {
    for (const encoding of ENCODINGS) {
      const chunk = new ChunkAppender(encoding).bytes();
      assert.equal(chunk.length, 3);
      const info = chunkInfo(chunk);
      assert.equal(info.count, 0);
      assert.equal(info.minT, Infinity);
      assert.equal(info.maxT, -Infinity);
      assert.equal(chunkIterator(chunk).next(), false);
      assert.throws(() => sampleAt(chunk, 0), RangeError);
    }
  });

  it('holds a single sample, whatever its value', () => {
    for (const encoding of ENCODINGS) {
      for (const v of [STALE_MARKER, -0, 0.1 + 0.2, -Infinity, 5e-324, 12345]) {
        const a = new ChunkAppender(encoding);
        assert.ok(a.append(-5, v));
        const chunk = a.bytes();
        assert.deepEqual(chunkInfo(chunk), { encoding: chunkInfo(chunk).encoding, count: 1, minT: -5, maxT: -5 });
        assert.equal(bitsOf(sampleAt(chunk, 0).v), bitsOf(v));
      }
    }
  });
});

describe('chunk appender rules', () => {
  it('rejects a timestamp equal to or before the previous one, and keeps the chunk as it was', () => {
    for (const encoding of ENCODINGS) {
      const a = new ChunkAppender(encoding);
      a.append(START_MS, 1);
      a.append(START_MS + 1000, 2);
      assert.throws(() => a.append(START_MS + 1000, 3), /not after the previous sample/);
      assert.throws(() => a.append(START_MS, 3), RangeError);
      assert.equal(a.count, 2);
      assert.ok(a.append(START_MS + 2000, 3));
    }
  });

  it('rejects timestamps that are not integers of milliseconds below 2^52', () => {
    const a = new ChunkAppender('varbit');
    for (const t of [1.5, NaN, Infinity, 2 ** 52, -(2 ** 52)]) assert.throws(() => a.append(t, 1), /chunks: timestamp .* is not an integer of ms below 2\^52/);
  });

  it('picks the smaller encoding in auto mode, per chunk', () => {
    const rand = rng(11);
    for (const valueShape of VALUE_SHAPES) {
      const s: Samples = { ts: timestamps('jitter', 120, rand), vs: values(valueShape, 120, rand) };
      const cut = { maxSamples: 120, maxBytes: Infinity };
      const [auto] = encodeAll('auto', cut, s);
      const [dd] = encodeAll('double-delta', cut, s);
      const [vb] = encodeAll('varbit', cut, s);
      assert.equal(auto!.length, Math.min(dd!.length, vb!.length), valueShape);
    }
    const constant = encodeAll('auto', { maxSamples: 120 }, { ts: regularCounter(120).ts, vs: Array(120).fill(3) });
    assert.equal(chunkInfo(constant[0]!).encoding, 'double-delta');
  });

  it('stores decimal values as integers: 2 decimals for centi-second counters, escapes for stale markers in varbit', () => {
    const ts = regularCounter(100).ts;
    const vs = ts.map((_, i) => (i === 60 ? STALE_MARKER : (123456 + i * 37) / 100));
    const [vb] = encodeAll('varbit', {}, { ts, vs });
    const [dd] = encodeAll('double-delta', {}, { ts, vs });
    assert.equal(vb![3], 2, 'varbit keeps decimal mode k = 2 across the stale marker');
    assert.equal(dd![3], XOR_MODE, 'double-delta has no escape: the stale marker forces xor');
    assert.ok(vb!.length < 100, `varbit: ${vb!.length} bytes`);
    assertChunksHold([vb!], { ts, vs }, 'varbit decimal');
    assertChunksHold([dd!], { ts, vs }, 'double-delta decimal');
  });

  it('codes jittered scrapes on a fixed grid by their residual from the grid, and wandering intervals by delta-of-delta', () => {
    const rand = rng(21);
    const onGrid = Array.from({ length: 400 }, (_, i) => START_MS + i * 1000 + Math.floor(rand() * 3));
    const wandering = [START_MS];
    for (let i = 1; i < 400; i++) wandering.push(wandering[i - 1]! + 1000 + Math.floor(rand() * 3));
    const constant = Array(400).fill(1);
    const [grid] = encodeAll('varbit', { maxBytes: Infinity }, { ts: onGrid, vs: constant });
    const [walk] = encodeAll('varbit', { maxBytes: Infinity }, { ts: wandering, vs: constant });
    assert.equal(grid![5], TIME_MODEL_GRID);
    assert.equal(walk![5], TIME_MODEL_DOD);
    assert.ok(grid!.length < 400 * 0.65, `jittered grid: ${grid!.length} bytes for 400 samples`);
    assertChunksHold([grid!], { ts: onGrid, vs: constant }, 'grid');
    assertChunksHold([walk!], { ts: wandering, vs: constant }, 'walk');
  });

  it('factors out a power of two shared by every value (memory sizes in KiB) and keeps NaN-only chunks in xor mode', () => {
    const ts = regularCounter(300).ts;
    const memory = ts.map((_, i) => 1024 * (800_000 + ((i * 7919) % 5000)));
    const [mem] = encodeAll('varbit', { maxBytes: Infinity }, { ts, vs: memory });
    assert.equal(mem![3], 0, 'decimal, k = 0');
    assert.equal(mem![4], 10, 'shift: d = m · 2^10');
    assertChunksHold([mem!], { ts, vs: memory }, 'memory');
    const nan = ts.map(() => NaN);
    const [quantile] = encodeAll('varbit', { maxBytes: Infinity }, { ts, vs: nan });
    assert.equal(quantile![3], XOR_MODE);
    assert.ok(quantile!.length < 300 / 4 + 32, `${quantile!.length} bytes: two bits a sample and the header`);
  });

  it('gives double-delta chunks zero-width fields for regular counters with a constant rate', () => {
    const [chunk] = encodeAll('double-delta', {}, regularCounter(500));
    assert.equal(chunk![4], 0, 'widths byte');
    assert.ok(chunk!.length < 16);
  });
});
