// Page compression for files kept long (log parts): each page body — the
// definition levels and values of a data page, or a dictionary page's values
// — compressed on its own, as Parquet's codecs are applied. Node's zlib has
// gzip and Brotli; zstd comes from WebAssembly (./zstd.ts, loadZstd() first).
// DuckDB and ClickHouse read all three.

import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { loadZstd, zstdCompress, zstdDecompressPage } from './zstd.js';

export type PageCodec =
  | { codec: 'brotli'; quality: number }
  | { codec: 'gzip'; level: number }
  /** zstd frames (./zstd.ts: the thread must have awaited loadZstd()) */
  | { codec: 'zstd'; level: number };

/** CompressionCodec of parquet.thrift */
export const CompressionCodec = { UNCOMPRESSED: 0, GZIP: 2, BROTLI: 4, ZSTD: 6 } as const;
export type CompressionCodec = (typeof CompressionCodec)[keyof typeof CompressionCodec];

/** Brotli window: 4 MiB, above any page (PAGE_BYTES is 1 MiB), within what every decoder takes (24 bits). */
const BROTLI_WINDOW_BITS = 22;

export function codecOf(codec: PageCodec | undefined): CompressionCodec {
  if (codec === undefined) return CompressionCodec.UNCOMPRESSED;
  return codec.codec === 'brotli' ? CompressionCodec.BROTLI : codec.codec === 'zstd' ? CompressionCodec.ZSTD : CompressionCodec.GZIP;
}

/**
 * Makes `codec` usable in this thread: zstd's WebAssembly module is loaded
 * once per thread (every thread that writes or merges compressed pages
 * awaits this first); zlib's codecs need nothing.
 */
export async function loadPageCodec(codec: PageCodec | undefined): Promise<void> {
  if (codec?.codec === 'zstd') await loadZstd();
}

export function compressPage(body: Uint8Array, codec: PageCodec): Uint8Array {
  if (codec.codec === 'gzip') return gzipSync(body, { level: codec.level });
  if (codec.codec === 'zstd') return zstdCompress(body, codec.level);
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: codec.quality,
      [constants.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

/**
 * A page body uncompressed (`codec` as a chunk's metadata names it), or
 * undefined for a codec this reader does not know. `transient`: zstd's body
 * is valid only until the next zstd call (zstdDecompressPage); an
 * uncompressed body is `body` itself.
 */
export function decompressPage(codec: number | undefined, body: Uint8Array, size: number, transient = false): Uint8Array | undefined {
  switch (codec ?? CompressionCodec.UNCOMPRESSED) {
    case CompressionCodec.UNCOMPRESSED:
      return body;
    case CompressionCodec.ZSTD:
      return zstdDecompressPage(body, size, transient);
    case CompressionCodec.GZIP:
      return gunzipSync(body);
    case CompressionCodec.BROTLI:
      return brotliDecompressSync(body);
    default:
      return undefined;
  }
}
