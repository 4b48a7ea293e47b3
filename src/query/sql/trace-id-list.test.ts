import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { DecodeError, TooLargeError } from '../../model/errors.js';
import { hexOf } from '../../model/hex.js';
import { Rng } from '../../loadgen/rng.js';
import { decodeTraceIdList, parseBinaryTraceIds, parseHexTraceIds, traceIdListFormat } from './trace-id-list.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hexes = (ids: Uint8Array): string[] => Array.from({ length: ids.length / 16 }, (_, i) => hexOf(ids, i * 16, 16));
const LIMITS = { maxIds: 1000, maxBytes: 1 << 20 };

describe('trace id lists', () => {
  it('parses one hex id per line, in either case, with CRLF and blank lines', () => {
    const ids = parseHexTraceIds(text('0123456789abcdef0123456789ABCDEF\r\n\r\nffffffffffffffffffffffffffffffff\n'), 10);
    assert.deepEqual(hexes(ids), ['0123456789abcdef0123456789abcdef', 'ffffffffffffffffffffffffffffffff']);
  });

  it('reads a JSON array of hex strings and left-pads 64-bit ids', () => {
    const ids = parseHexTraceIds(text('["00000000000000010000000000000002", "00000000000000ff"]'), 10);
    assert.deepEqual(hexes(ids), ['00000000000000010000000000000002', '000000000000000000000000000000ff']);
  });

  it('drops the all-zero id, which no span can have', () => {
    const ids = parseHexTraceIds(text(`${'0'.repeat(32)}\n${'0'.repeat(16)}\n${'1'.repeat(16)}\n`), 10);
    assert.deepEqual(hexes(ids), [`${'0'.repeat(16)}${'1'.repeat(16)}`]);
  });

  it('names the line of a malformed id', () => {
    assert.throws(() => parseHexTraceIds(text('0123456789abcdef0123456789abcdef\nabc\n'), 10), (err: unknown) => {
      assert.ok(err instanceof DecodeError);
      assert.match(err.message, /line 2: a trace id has 32 hex digits \(or 16\), got 3/);
      return true;
    });
    assert.throws(() => parseHexTraceIds(text('0123456789abcdef0123456789abcdeg'), 10), /line 1: unexpected character "g"/);
  });

  it('refuses more ids than the limit', () => {
    const body = text(`${'1'.repeat(32)}\n${'2'.repeat(32)}\n${'3'.repeat(32)}\n`);
    assert.throws(() => parseHexTraceIds(body, 2), TooLargeError);
    assert.throws(() => parseBinaryTraceIds(new Uint8Array(48).fill(1), 2), TooLargeError);
  });

  it('takes binary bodies of 16-byte ids and refuses a torn last id', () => {
    const body = new Uint8Array(48);
    new Rng(3).fillBytes(body, 0, 32); // the third id stays all-zero and is dropped
    assert.equal(parseBinaryTraceIds(body, 10).length, 32);
    assert.throws(() => parseBinaryTraceIds(new Uint8Array(17), 10), /not a multiple of 16/);
  });

  it('round-trips many seeded ids through hex text and gzip', () => {
    const rng = new Rng(42);
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(rng.hex(32));
    const body = gzipSync(text(lines.join('\n')));
    const ids = decodeTraceIdList(body, 'hex', 'gzip', { maxIds: 10_000, maxBytes: 1 << 20 });
    assert.deepEqual(hexes(ids), lines);
    // gzip found by its magic bytes, without Content-Encoding
    assert.equal(decodeTraceIdList(body, 'hex', undefined, { maxIds: 10_000, maxBytes: 1 << 20 }).length, 5000 * 16);
  });

  it('refuses a gzip body that unzips beyond the byte limit, and unknown encodings', () => {
    const big = gzipSync(new Uint8Array(4096).fill(0x0a));
    assert.throws(() => decodeTraceIdList(big, 'hex', 'gzip', { maxIds: 10, maxBytes: 1024 }), TooLargeError);
    assert.throws(() => decodeTraceIdList(text(''), 'hex', 'br', LIMITS), /content encoding "br"/);
  });

  it('picks binary for application/octet-stream and hex otherwise', () => {
    assert.equal(traceIdListFormat('application/octet-stream'), 'binary');
    assert.equal(traceIdListFormat('text/plain; charset=utf-8'), 'hex');
    assert.equal(traceIdListFormat(undefined), 'hex');
  });
});
