// zstd for Parquet pages. Node 20's zlib has no zstd, so this runs the
// reference C library compiled to WebAssembly (`@bokuweb/zstd-wasm`, MIT,
// the .wasm ships inside the npm package: nothing is fetched at install or
// run time). The package's own compress() creates and frees a compression
// context per call, whose tables at level 9 cost more than a 64 KiB page;
// here one context per thread is kept and reused.

import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

interface ZstdModule {
  init(wasm: Uint8Array): void;
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _ZSTD_compressBound(size: number): number;
  _ZSTD_isError(code: number): number;
  _ZSTD_createCCtx(): number;
  _ZSTD_createDCtx(): number;
  _ZSTD_compress_usingDict(cctx: number, dst: number, dstCapacity: number, src: number, srcSize: number, dict: number, dictSize: number, level: number): number;
  _ZSTD_decompress_usingDict(dctx: number, dst: number, dstCapacity: number, src: number, srcSize: number, dict: number, dictSize: number): number;
}

interface Loaded {
  module: ZstdModule;
  context: number;
  /** decompression context, made on first use (reused: ZSTD_decompress allocates one per call) */
  decompression: number;
  /** one scratch region in wasm memory, grown as pages need */
  scratch: number;
  scratchBytes: number;
}

let loading: Promise<Loaded> | undefined;
let loaded: Loaded | undefined;

/** Loads the WebAssembly module once per thread; call (and await) before zstdCompress. */
export function loadZstd(): Promise<void> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@bokuweb/zstd-wasm');
    const moduleFile = require(join(dirname(entry), 'module.js')) as { Module: ZstdModule; waitInitialized(): Promise<void> };
    moduleFile.Module.init(await readFile(join(dirname(entry), 'zstd.wasm')));
    await moduleFile.waitInitialized();
    const module = moduleFile.Module;
    const context = module._ZSTD_createCCtx();
    if (context === 0) throw new Error('zstd: cannot create a compression context');
    loaded = { module, context, decompression: 0, scratch: 0, scratchBytes: 0 };
    return loaded;
  })();
  return loading.then(() => undefined);
}

function scratchOf(state: Loaded, bytes: number): number {
  if (state.scratchBytes < bytes) {
    if (state.scratch !== 0) state.module._free(state.scratch);
    const size = Math.max(bytes, state.scratchBytes * 2, 1 << 20);
    state.scratch = state.module._malloc(size);
    if (state.scratch === 0) throw new Error(`zstd: cannot allocate ${size} bytes`);
    state.scratchBytes = size;
  }
  return state.scratch;
}

function ready(): Loaded {
  if (loaded === undefined) throw new Error('zstd: loadZstd() was not awaited in this thread');
  return loaded;
}

/** One zstd frame of `body` at `level` (1–22), with the content size in its header. */
export function zstdCompress(body: Uint8Array, level: number): Uint8Array {
  const state = ready();
  const bound = state.module._ZSTD_compressBound(body.length);
  const base = scratchOf(state, body.length + bound);
  // HEAPU8 is re-read after the malloc above: growing wasm memory replaces its buffer.
  state.module.HEAPU8.set(body, base);
  const destination = base + body.length;
  const size = state.module._ZSTD_compress_usingDict(state.context, destination, bound, base, body.length, 0, 0, level);
  if (state.module._ZSTD_isError(size)) throw new Error(`zstd: compression failed (code ${size})`);
  return state.module.HEAPU8.slice(destination, destination + size);
}

/**
 * A Parquet page body: the zstd frame(s) `compressed` holding exactly
 * `size` bytes (the page header's uncompressed size, whatever the frame
 * header records), through one reused decompression context. With `view`,
 * the bytes are not copied out of WebAssembly memory: the array is valid
 * only until the next zstd call of this thread (which may overwrite or
 * move that memory), for a caller that decodes the page at once.
 */
export function zstdDecompressPage(compressed: Uint8Array, size: number, view = false): Uint8Array {
  const state = ready();
  if (state.decompression === 0) {
    state.decompression = state.module._ZSTD_createDCtx();
    if (state.decompression === 0) throw new Error('zstd: cannot create a decompression context');
  }
  const base = scratchOf(state, compressed.length + size);
  state.module.HEAPU8.set(compressed, base);
  const destination = base + compressed.length;
  const got = state.module._ZSTD_decompress_usingDict(state.decompression, destination, size, base, compressed.length, 0, 0);
  if (state.module._ZSTD_isError(got)) throw new Error(`zstd: decompression failed (code ${got})`);
  if (got !== size) throw new Error(`zstd: page holds ${got} bytes, its header says ${size}`);
  return view ? state.module.HEAPU8.subarray(destination, destination + size) : state.module.HEAPU8.slice(destination, destination + size);
}
