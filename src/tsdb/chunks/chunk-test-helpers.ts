// Seeded series generators and round-trip checks for the chunk tests.

import assert from 'node:assert/strict';
import { ChunkAppender, type ChunkCut } from './appender.js';
import { floatFromBits } from './float-bits.js';
import type { ChunkEncoding } from './header.js';
import { chunkInfo, chunkIterator, sampleAt } from './read.js';

export const STALE_MARKER = floatFromBits(0x7ff00000, 0x00000002);
export const START_MS = 1_700_000_000_000;

/** splitmix32: small, fast, and the same sequence on every platform. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

export interface Samples {
  ts: number[];
  vs: number[];
}

export type TimeShape = 'regular' | 'jitter' | 'irregular' | 'gaps' | 'far';
export type ValueShape = 'counter' | 'counter-cents' | 'gauge' | 'constant' | 'random-bits' | 'integers' | 'big' | 'specials' | 'stale-ends' | 'digits-grow';
export const TIME_SHAPES: readonly TimeShape[] = ['regular', 'jitter', 'irregular', 'gaps', 'far'];
export const VALUE_SHAPES: readonly ValueShape[] = ['counter', 'counter-cents', 'gauge', 'constant', 'random-bits', 'integers', 'big', 'specials', 'stale-ends', 'digits-grow'];

export function timestamps(shape: TimeShape, n: number, rand: () => number): number[] {
  const out: number[] = [];
  let t = shape === 'far' ? -(2 ** 52) + 1 : START_MS;
  for (let i = 0; i < n; i++) {
    out.push(t);
    if (shape === 'regular') t += 15_000;
    else if (shape === 'jitter') t += 1000 + Math.floor(rand() * 7) - 3 + (rand() < 0.01 ? 40 : 0);
    else if (shape === 'irregular') t += 1 + Math.floor(-Math.log(1 - rand()) * 5000);
    else if (shape === 'gaps') t += rand() < 0.02 ? Math.floor(rand() * 86_400_000 * 30) : 1000;
    else t += 1 + Math.floor(rand() * 2 ** 45); // crosses the whole range in big steps
  }
  return out.filter((x) => Math.abs(x) < 2 ** 52);
}

function randomBits(rand: () => number): number {
  return floatFromBits(Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32));
}

const SPECIALS = [NaN, STALE_MARKER, floatFromBits(0xfff80000, 1), floatFromBits(0x7ff40000, 0xdead), 0, -0, Infinity, -Infinity, Number.MIN_VALUE, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE];

export function values(shape: ValueShape, n: number, rand: () => number): number[] {
  const out: number[] = [];
  let x = Math.floor(rand() * 1e6);
  for (let i = 0; i < n; i++) {
    switch (shape) {
      case 'counter':
        x += rand() < 0.3 ? 0 : Math.floor(rand() * 5000);
        out.push(x);
        break;
      case 'counter-cents':
        x += Math.floor(rand() * 101);
        out.push(x / 100);
        break;
      case 'gauge':
        x += (rand() - 0.5) * 10;
        out.push(x);
        break;
      case 'constant':
        out.push(42.5);
        break;
      case 'random-bits':
        out.push(randomBits(rand));
        break;
      case 'integers':
        out.push(Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 53))));
        break;
      case 'big':
        out.push((rand() - 0.5) * 10 ** Math.floor(rand() * 600 - 300));
        break;
      case 'specials':
        out.push(rand() < 0.5 ? SPECIALS[Math.floor(rand() * SPECIALS.length)]! : Math.floor(rand() * 100));
        break;
      case 'stale-ends':
        x += Math.floor(rand() * 10);
        out.push(i % 50 === 49 ? STALE_MARKER : x);
        break;
      case 'digits-grow':
        out.push(Math.round(rand() * 1000 * 10 ** Math.min(i >> 3, 17)) / 10 ** Math.min(i >> 3, 17));
        break;
    }
  }
  return out;
}

/** The value's 64 bits as a bigint, so NaN payloads and -0 compare exactly. */
export function bitsOf(v: number): bigint {
  const f = new Float64Array([v]);
  return new BigUint64Array(f.buffer)[0]!;
}

/** Cuts `samples` into chunks the way a head would: append until refused, then start a new chunk. */
export function encodeAll(encoding: ChunkEncoding | 'auto', cut: Partial<ChunkCut>, s: Samples): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let appender = new ChunkAppender(encoding, cut);
  for (let i = 0; i < s.ts.length; i++) {
    if (appender.append(s.ts[i]!, s.vs[i]!)) continue;
    assert.ok(appender.count > 0, 'a fresh chunk always takes one sample');
    chunks.push(appender.bytes());
    appender = new ChunkAppender(encoding, cut);
    assert.ok(appender.append(s.ts[i]!, s.vs[i]!), 'a fresh chunk always takes one sample');
  }
  if (appender.count > 0) chunks.push(appender.bytes());
  return chunks;
}

/** Decodes every chunk sequentially and by index and checks each sample bit for bit. */
export function assertChunksHold(chunks: Uint8Array[], s: Samples, what: string): void {
  let k = 0;
  for (const chunk of chunks) {
    const info = chunkInfo(chunk);
    assert.equal(info.minT, s.ts[k], `${what}: minT`);
    assert.equal(info.maxT, s.ts[k + info.count - 1], `${what}: maxT`);
    const it = chunkIterator(chunk);
    for (let i = 0; i < info.count; i++, k++) {
      assert.ok(it.next(), `${what}: sample ${k} missing`);
      assert.equal(it.t, s.ts[k], `${what}: t of sample ${k}`);
      assert.equal(bitsOf(it.v), bitsOf(s.vs[k]!), `${what}: bits of sample ${k} (${it.v} vs ${s.vs[k]})`);
    }
    assert.equal(it.next(), false, `${what}: extra sample after ${info.count}`);
    for (const i of [0, info.count - 1, info.count >> 1]) {
      const at = sampleAt(chunk, i);
      const j = k - info.count + i;
      assert.equal(at.t, s.ts[j], `${what}: sampleAt(${i}).t`);
      assert.equal(bitsOf(at.v), bitsOf(s.vs[j]!), `${what}: sampleAt(${i}).v`);
    }
  }
  assert.equal(k, s.ts.length, `${what}: sample count`);
}
