import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTokenChunks, chunkMayContain, distinctHashes, decodeTokenIndex, encodeTokenIndex, type ChunkPlace, type TokenChunk } from './token-index.js';
import { buildFuseFilter, fuseMayContain } from './fuse-filter.js';
import { crc32 } from '../wal/crc32.js';
import { numberSetHas } from './number-set.js';
import { SMALL_NUMBER_KEYS, forEachTokenHash, tokensOf, wordKey } from './log-tokens.js';

function keysOf(text: string): Uint32Array {
  const keys: number[] = [];
  forEachTokenHash(text, (h) => keys.push(h));
  return distinctHashes(Uint32Array.from(keys));
}

/** Chunks built together (one filter), chunk i from texts[i]. */
function chunksOf(texts: readonly string[], service = 'svc', min = 1n, max = 2n): TokenChunk[] {
  const places: ChunkPlace[] = texts.map((_, i) => ({ firstRow: i * 16_384, rows: 16_384, minTimeNs: min, maxTimeNs: max, minService: service, maxService: `${service}-z` }));
  return buildTokenChunks(places, (i) => keysOf(texts[i]!));
}

describe('log tokens', () => {
  it('splits on anything but letters, digits and underscore, and ignores case', () => {
    assert.deepEqual(tokensOf('GET /api/cart_items?id=42 → Timeout; Ünïcode café'), ['get', 'api', 'cart_items', 'id', '42', 'timeout', 'ünïcode', 'café']);
    assert.equal(wordKey('TimeOut'), wordKey('timeout'));
    assert.equal(wordKey('Café'), wordKey('café'));
    const seen: number[] = [];
    forEachTokenHash('a-b', (h) => seen.push(h));
    assert.deepEqual(seen, [wordKey('a'), wordKey('b')]);
  });

  it('keys a decimal number of up to six digits by its value, every other word above them', () => {
    assert.equal(wordKey('0'), 0);
    assert.equal(wordKey('42'), 42);
    assert.equal(wordKey('999999'), 999_999);
    const seen: number[] = [];
    forEachTokenHash('x=17, 2048ms; 7', (h) => seen.push(h));
    assert.deepEqual(seen, [wordKey('x'), 17, wordKey('2048ms'), 7]);
    // a leading zero, seven digits, letters, other scripts' digits: words like any other
    for (const w of ['042', '00', '1000000', '12a', 'a12', '٤٢', 'timeout', '']) assert.ok(wordKey(w) >= SMALL_NUMBER_KEYS || w === '', w);
    assert.notEqual(wordKey('042'), wordKey('42'));
  });
});

describe('fuse filter', () => {
  it('holds every pair put in, and about one other in 128', () => {
    for (const n of [0, 1, 2, 3, 10, 1000, 50_000]) {
      const keys = new Uint32Array(n);
      const groups = new Uint32Array(n);
      let x = n + 1;
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        keys[i] = i % 3 === 0 ? i : x;
        groups[i] = i % 7;
      }
      const f = buildFuseFilter(keys, groups, 7);
      for (let i = 0; i < n; i++) assert.ok(fuseMayContain(f, keys[i]!, groups[i]!), `pair ${i} of ${n}`);
      let falsePositives = 0;
      for (let i = 0; i < 20_000; i++) if (fuseMayContain(f, i * 7919 + 5, 7 + (i % 3))) falsePositives++;
      assert.ok(falsePositives > 50 && falsePositives < 300, `${falsePositives} false positives in 20000 with ${n} pairs`);
      if (n === 50_000) assert.ok((f.fingerprints.length * 8) / n < 7 * 1.2, `${(f.fingerprints.length * 8) / n} bits per pair`);
    }
  });
});

/** A version 3 file (sessions 9-12) of the chunks (one filter): each chunk's numbers a bitmap, as docs/format/token-index.md had it. */
function encodeVersion3(chunks: readonly TokenChunk[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('MQTOKIX3', 'latin1')];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const f = chunks[0]!.filter;
  parts.push(u32(1), u32(f.seed), u32(f.segmentLength), u32(f.segmentCount), Buffer.of(f.fingerprintBits), u32(f.fingerprints.length), Buffer.from(f.fingerprints));
  parts.push(u32(chunks.length));
  for (const c of chunks) {
    const times = Buffer.alloc(16);
    times.writeBigInt64LE(c.minTimeNs, 0);
    times.writeBigInt64LE(c.maxTimeNs, 8);
    parts.push(u32(c.firstRow), u32(c.rows), times);
    for (const name of [c.minService, c.maxService]) {
      const b = Buffer.from(name, 'utf8');
      parts.push(Buffer.of(b.length & 0xff, b.length >> 8), b);
    }
    const bitmap = Buffer.alloc(c.numbersBelow / 8);
    for (let n = 0; n < c.numbersBelow; n++) if (numberSetHas(c.numbers, n)) bitmap[n >>> 3]! |= 1 << (n & 7);
    parts.push(u32(0), u32(c.slot), u32(c.numbersBelow), bitmap);
  }
  const body = Buffer.concat(parts);
  return new Uint8Array(Buffer.concat([body, u32(crc32(body, 0))]));
}

describe('token index', () => {
  it('finds the distinct hashes of a chunk in order of first sight, zero and repeats included', () => {
    let x = 12345;
    for (const n of [0, 1, 1000, 70_000, 300_000]) {
      const hashes = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        // few distinct values, so most repeat; 0 among them
        hashes[i] = x % (n / 3 + 1) === 0 ? 0 : (x >>> 8) % (n / 2 + 7);
      }
      // in order of first sight, through the table's growth (300 k: ~150 k distinct)
      assert.deepEqual([...distinctHashes(hashes)], [...new Set(hashes)], `${n} hashes`);
    }
  });

  it('holds every word put in, small numbers exactly, and few others', () => {
    const words = (c: number): string[] => Array.from({ length: 3000 }, (_, i) => `w${c}x${i} ${i * 3 + c} ${1_000_000 + i * 17} 0${i}`);
    const texts = [0, 1, 2].map((c) => words(c).join(' '));
    const chunks = chunksOf(texts);
    assert.ok(chunks.every((c) => c.filter === chunks[0]!.filter));
    chunks.forEach((chunk, c) => {
      for (const w of tokensOf(texts[c]!)) assert.ok(chunkMayContain(chunk, wordKey(w)), `${w} in chunk ${c}`);
      // numbers 0-8999 with step 3 are dense enough for exact blocks: the others are known absent
      assert.ok(chunk.numbersBelow >= 4096, `exact numbers below ${chunk.numbersBelow}`);
      for (let n = 0; n < chunk.numbersBelow && n < 9000; n++) assert.equal(chunkMayContain(chunk, n), n % 3 === c, `number ${n} in chunk ${c}`);
      let falsePositives = 0;
      for (let i = 0; i < 10_000; i++) if (chunkMayContain(chunk, wordKey(`other${i}`))) falsePositives++;
      // 5-bit fingerprints: ~312 in 10000 (1 in 32)
      assert.ok(falsePositives > 200 && falsePositives < 450, `${falsePositives} false positives in 10000`);
    });
  });

  it('reads indexes of 7-bit (session 9) and 6-bit (sessions 10-12) fingerprints as written, beside the 5-bit ones written now', () => {
    const texts = ['connection refused by db-3 42 3fa9c2 order 4711', 'user u-77 logged in 1234567'];
    const places: ChunkPlace[] = texts.map((_, i) => ({ firstRow: i * 16_384, rows: 16_384, minTimeNs: 1n, maxTimeNs: 2n, minService: 'svc', maxService: 'svc' }));
    const seven = buildTokenChunks(places, (i) => keysOf(texts[i]!), 7);
    const six = buildTokenChunks(places, (i) => keysOf(texts[i]!), 6);
    const five = chunksOf(texts);
    for (const [chunks, bits] of [[seven, 7], [six, 6], [five, 5]] as const) {
      const back = decodeTokenIndex(encodeTokenIndex(chunks));
      assert.deepEqual(back, chunks);
      assert.equal(back[0]!.filter.fingerprintBits, bits);
      texts.forEach((text, c) => {
        for (const w of tokensOf(text)) assert.ok(chunkMayContain(back[c]!, wordKey(w)), `${w} in chunk ${c} (${bits} bits)`);
      });
    }
  });

  it('reads a session 9-12 index (version 3, numbers as one bitmap) as written, and writes it again as version 4 with the same answers', () => {
    const words = (c: number): string[] => Array.from({ length: 3000 }, (_, i) => `w${c}x${i} ${i * 3 + c} ${70_000 + i * 7} ${1_000_000 + i * 17}`);
    const texts = [0, 1].map((c) => words(c).join(' '));
    const chunks = chunksOf(texts);
    const older = decodeTokenIndex(encodeVersion3(chunks));
    const again = decodeTokenIndex(encodeTokenIndex(older));
    for (const read of [older, again]) {
      read.forEach((chunk, c) => {
        assert.equal(chunk.numbersBelow, chunks[c]!.numbersBelow);
        for (let n = 0; n < 100_000; n++) assert.equal(chunkMayContain(chunk, n), chunkMayContain(chunks[c]!, n), `number ${n} in chunk ${c}`);
        for (const w of tokensOf(texts[c]!)) assert.ok(chunkMayContain(chunk, wordKey(w)), `${w} in chunk ${c}`);
      });
    }
  });

  it('reads back what it wrote, filters shared by chunks written once, and refuses a corrupt file or an older version', () => {
    const one = chunksOf(['connection refused 42', 'all good'], 'cart', 5n, 9n);
    const other = chunksOf(['säljö 7 bröd'], 'säljö', -3n, 4n).map((c) => ({ ...c, firstRow: c.firstRow + 32_768 }));
    const chunks = [...one, ...other];
    const bytes = encodeTokenIndex(chunks);
    const back = decodeTokenIndex(bytes);
    assert.deepEqual(back, chunks);
    assert.equal(back[0]!.filter, back[1]!.filter);
    assert.notEqual(back[0]!.filter, back[2]!.filter);
    assert.ok(chunkMayContain(back[2]!, wordKey('bröd')));
    const bad = bytes.slice();
    bad[20]! ^= 1;
    assert.throws(() => decodeTokenIndex(bad), /checksum mismatch/);
    assert.throws(() => decodeTokenIndex(bytes.subarray(0, 10)), /not a marquetry token index/);
    const older = bytes.slice();
    older.set(Buffer.from('MQTOKIX2', 'latin1'), 0);
    assert.throws(() => decodeTokenIndex(older), /not a marquetry token index \(version 3 or 4\)/);
  });
});
