import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildChunkBloom, chunkMayContain, distinctHashes, decodeTokenIndex, encodeTokenIndex, type TokenChunk } from './token-index.js';
import { forEachTokenHash, tokenHash, tokensOf } from './log-tokens.js';

function chunkOf(text: string, service = 'svc', min = 1n, max = 2n, firstRow = 0): TokenChunk {
  const hashes: number[] = [];
  forEachTokenHash(text, (h) => hashes.push(h));
  return { firstRow, rows: 1, minTimeNs: min, maxTimeNs: max, minService: service, maxService: `${service}-z`, ...buildChunkBloom(Uint32Array.from(hashes), new Set(hashes).size) };
}

describe('log tokens', () => {
  it('splits on anything but letters, digits and underscore, and ignores case', () => {
    assert.deepEqual(tokensOf('GET /api/cart_items?id=42 → Timeout; Ünïcode café'), ['get', 'api', 'cart_items', 'id', '42', 'timeout', 'ünïcode', 'café']);
    assert.equal(tokenHash('TimeOut'), tokenHash('timeout'));
    assert.equal(tokenHash('Café'), tokenHash('café'));
    const seen: number[] = [];
    forEachTokenHash('a-b', (h) => seen.push(h));
    assert.deepEqual(seen, [tokenHash('a'), tokenHash('b')]);
  });
});

describe('token index', () => {
  it('finds the distinct hashes of a chunk, zero and repeats included, and the same bloom from them', () => {
    let x = 12345;
    for (const n of [0, 1, 1000, 70_000, 300_000]) {
      const hashes = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        // few distinct values, so most repeat; 0 among them
        hashes[i] = x % (n / 3 + 1) === 0 ? 0 : (x >>> 8) % (n / 2 + 7);
      }
      const distinct = distinctHashes(hashes);
      assert.deepEqual([...distinct].sort((a, b) => a - b), [...new Set(hashes)].sort((a, b) => a - b), `${n} hashes`);
      // the bloom of the distinct hashes is the bloom of them all
      assert.deepEqual(buildChunkBloom(distinct, distinct.length), buildChunkBloom(hashes, distinct.length));
    }
  });

  it('holds every word put in and few others', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const chunk = chunkOf(words.join(' '));
    for (const w of words) assert.ok(chunkMayContain(chunk, tokenHash(w)), w);
    let falsePositives = 0;
    for (let i = 0; i < 10_000; i++) if (chunkMayContain(chunk, tokenHash(`other${i}`))) falsePositives++;
    assert.ok(falsePositives < 300, `${falsePositives} false positives in 10000`);
  });

  it('reads back what it wrote, and refuses a corrupt file', () => {
    const chunks = [chunkOf('connection refused', 'cart', 5n, 9n), chunkOf('all good', 'säljö', -3n, 4n, 16384)];
    const bytes = encodeTokenIndex(chunks);
    assert.deepEqual(decodeTokenIndex(bytes), chunks);
    const bad = bytes.slice();
    bad[20]! ^= 1;
    assert.throws(() => decodeTokenIndex(bad), /checksum mismatch/);
    assert.throws(() => decodeTokenIndex(bytes.subarray(0, 10)), /not a marquetry token index/);
  });
});
