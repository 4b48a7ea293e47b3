// zstd for Parquet pages. Node 20's zlib has no zstd. Pages are compressed
// by the native library where its npm build exists for this platform
// (`@toondepauw/node-zstd`, MIT, a Node-API binding of the zstd crate whose
// binary ships as an npm package: nothing is fetched from elsewhere), 2–3 ×
// less CPU than WebAssembly at levels 3–9 (docs/storage.md, "Session 11").
// Everything else runs the reference C library compiled to WebAssembly
// (`@bokuweb/zstd-wasm`, the .wasm inside the npm package): decompression
// (as fast here, and it can hand out a view without a copy) and compression
// where the native build is missing or MARQUETRY_ZSTD=wasm asks for it. The
// WebAssembly package's own compress() creates and frees a context per call,
// whose tables at level 9 cost more than a 64 KiB page; here one context per
// thread is kept and reused.

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

/** The native binding's encoder: one per level, each call a whole frame. */
interface NativeEncoder {
  encodeSync(data: Uint8Array): Uint8Array;
}
type NativeEncoderClass = new (level: number) => NativeEncoder;

interface Loaded {
  module: ZstdModule;
  /** the native encoder class, or undefined where it is not installed for this platform (or not wanted) */
  native: NativeEncoderClass | undefined;
  nativeByLevel: Map<number, NativeEncoder>;
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
    loaded = { module, context, native: loadNativeEncoder(require), nativeByLevel: new Map(), decompression: 0, scratch: 0, scratchBytes: 0 };
    return loaded;
  })();
  return loading.then(() => undefined);
}

function loadNativeEncoder(require: NodeRequire): NativeEncoderClass | undefined {
  if (process.env['MARQUETRY_ZSTD'] === 'wasm') return undefined;
  try {
    return (require('@toondepauw/node-zstd') as { Encoder: NativeEncoderClass }).Encoder;
  } catch {
    return undefined; // no build for this platform: WebAssembly compresses the same frames
  }
}

/** Whether this thread compresses with the native library (after loadZstd). */
export function zstdCompressesNatively(): boolean {
  return ready().native !== undefined;
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

/**
 * One zstd frame of `body` at `level` (1–22). The WebAssembly build records
 * the content size in the frame header, the native one does not; Parquet
 * readers take the size from the page header either way.
 */
export function zstdCompress(body: Uint8Array, level: number): Uint8Array {
  const state = ready();
  if (state.native !== undefined && body.length >= NATIVE_MIN_BYTES) return nativeEncoder(state, state.native, level).encodeSync(body);
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
 * The native binding makes a fresh compression context per call, sized for
 * input of unknown length (~0.04 ms at level 4); the WebAssembly one-shot
 * reuses its context and sizes its tables to the page. Replaying a 1 M-span
 * flush's pages, WebAssembly was cheaper below 4 KiB and native above
 * (docs/storage.md, "Session 11").
 */
const NATIVE_MIN_BYTES = 4 * 1024;

function nativeEncoder(state: Loaded, native: NativeEncoderClass, level: number): NativeEncoder {
  let encoder = state.nativeByLevel.get(level);
  if (encoder === undefined) {
    encoder = new native(level);
    state.nativeByLevel.set(level, encoder);
  }
  return encoder;
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
