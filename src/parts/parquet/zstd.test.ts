// Pages compressed by the native zstd build read back through the
// WebAssembly decoder, and the native build is what this machine uses.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from './testing.js';
import { loadZstd, zstdCompress, zstdCompressesNatively, zstdDecompressPage } from './zstd.js';

/** A page of `size` bytes, half runs and half noise, like a column of ids beside one of flags. */
function pageOf(size: number, seed: number): Uint8Array {
  const r = seededRandom(seed);
  const page = new Uint8Array(size);
  for (let i = 0; i < size; i++) page[i] = i % 512 < 256 ? (i >> 9) & 0xff : Math.floor(r() * 256);
  return page;
}

describe('zstd pages', () => {
  it('compresses with the native library on linux x64 unless MARQUETRY_ZSTD=wasm asks otherwise', async () => {
    await loadZstd();
    const expected = process.platform === 'linux' && process.arch === 'x64' && process.env['MARQUETRY_ZSTD'] !== 'wasm';
    if (expected) assert.equal(zstdCompressesNatively(), true);
  });

  for (const level of [1, 4, 9]) {
    it(`reads back every page compressed at level ${level}: empty, one byte, 64 KiB, 1 MiB, and a view into a larger buffer`, async () => {
      await loadZstd();
      const large = pageOf(3 << 20, level);
      const pages = [new Uint8Array(0), Uint8Array.of(7), pageOf(64 * 1024, 1), pageOf(1 << 20, 2), large.subarray(12_345, 12_345 + 700_000)];
      for (const page of pages) {
        const frame = zstdCompress(page, level);
        if (page.length >= 64 * 1024) assert.ok(frame.length < page.length * 0.75, `${frame.length} of ${page.length}`);
        assert.deepEqual(zstdDecompressPage(frame, page.length), page);
      }
    });
  }
});
