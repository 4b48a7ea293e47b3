import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, TooLargeError } from '../../model/errors.js';
import { readFixture, seededUint32 } from './metrics-test-helpers.js';
import { snappyCompress, snappyMaxCompressedLength, snappyUncompress, snappyUncompressedLength } from './snappy.js';

const LIMIT = 64 << 20;

/** Bodies Prometheus 2.42 sent to a remote_write sink (compressed by Go's snappy package). */
const PROMETHEUS_BODIES = [
  'prometheus-2.42-node-exporter.snappy',
  'prometheus-2.42-self-scrape.snappy',
  'prometheus-2.42-metadata.snappy',
  'prometheus-2.42-demo-metadata.snappy',
  'prometheus-2.42-demo-exemplar.snappy',
  'prometheus-2.42-demo-stale.snappy',
];

function fixture(name: string): Uint8Array {
  return readFixture(name);
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** Inputs of every shape the compressor meets: empty, runs, text, noise, mixtures, block-sized. */
function samples(): Uint8Array[] {
  const next = seededUint32(7);
  const out: Uint8Array[] = [new Uint8Array(0), bytes(1), bytes(1, 2, 3), new Uint8Array(100_000)];
  const text = new TextEncoder().encode('node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67\n'.repeat(3000));
  out.push(text);
  const noise = new Uint8Array(70_000);
  for (let i = 0; i < noise.length; i++) noise[i] = next() & 0xff;
  out.push(noise);
  for (const size of [59, 60, 61, 255, 256, 257, 65_535, 65_536, 65_537, 200_000]) {
    const mixed = new Uint8Array(size);
    for (let i = 0; i < size; i++) mixed[i] = (next() & 7) === 0 ? next() & 0xff : mixed[Math.max(0, i - 1 - (next() % 300))]!;
    out.push(mixed);
  }
  return out;
}

describe('snappyUncompress', () => {
  it('reads every remote_write body captured from Prometheus to its declared length', () => {
    for (const name of PROMETHEUS_BODIES) {
      const body = fixture(name);
      const out = snappyUncompress(body, LIMIT);
      assert.equal(out.length, snappyUncompressedLength(body).length, name);
      assert.ok(out[0] === 0x0a || out[0] === 0x1a, `${name} starts with WriteRequest field 1 or 3`);
    }
  });

  it('decodes hand-written blocks: literals, a 1-byte-offset copy and an overlapping copy', () => {
    // "abcd" then copy len 4 offset 4 (tag 0b000_000_01): "abcdabcd"
    assert.deepEqual(snappyUncompress(bytes(8, 3 << 2, 97, 98, 99, 100, 0x01, 4), 100), new TextEncoder().encode('abcdabcd'));
    // "a" then copy len 9 offset 1 (2-byte offset form): ten "a"s
    assert.deepEqual(snappyUncompress(bytes(10, 0, 97, 0x02 | (8 << 2), 1, 0), 100), new TextEncoder().encode('a'.repeat(10)));
    // 4-byte-offset copy form
    assert.deepEqual(snappyUncompress(bytes(4, 1 << 2, 120, 121, 0x03 | (1 << 2), 2, 0, 0, 0), 100), new TextEncoder().encode('xyxy'));
    // literal with a 1-byte length (60): 61 bytes
    const long = new Uint8Array(2 + 1 + 61);
    long.set([61, 60 << 2, 60]);
    long.fill(122, 3);
    assert.deepEqual(snappyUncompress(long, 100), new Uint8Array(61).fill(122));
    assert.deepEqual(snappyUncompress(bytes(0), 0), new Uint8Array(0));
  });

  it('refuses a declared length over the limit before allocating, as TooLargeError', () => {
    // 2^32 - 1 declared, nothing else
    assert.throws(() => snappyUncompress(bytes(0xff, 0xff, 0xff, 0xff, 0x0f), 1 << 20), TooLargeError);
    const body = snappyCompress(new Uint8Array(1000));
    assert.throws(() => snappyUncompress(body, 999), { code: 'too_large', message: 'snappy: uncompressed length 1000 exceeds the limit of 999 bytes' });
    assert.equal(snappyUncompress(body, 1000).length, 1000);
  });

  it('names the offset of a bad element', () => {
    const cases: [Uint8Array, string][] = [
      [bytes(), 'snappy: truncated length header at offset 0'],
      [bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 'snappy: length header longer than 5 bytes at offset 0'],
      [bytes(0xff, 0xff, 0xff, 0xff, 0x7f), 'snappy: length header exceeds 32 bits at offset 0'],
      [bytes(4, 0x01, 0), 'snappy: copy with offset 0 at offset 1'],
      [bytes(4, 0, 97, 0x01 | (0 << 2), 2), 'snappy: copy offset 2 reaches before the start of the output (1 bytes written) at offset 3'],
      [bytes(3, 2 << 2, 97), 'snappy: literal of 3 bytes runs past the end of the input at offset 1'],
      [bytes(1, 1 << 2, 97, 98), 'snappy: literal of 2 bytes overflows the declared length 1 at offset 1'],
      [bytes(2, 0, 97, 0x02 | (4 << 2), 1, 0), 'snappy: copy of 5 bytes overflows the declared length 2 at offset 3'],
      [bytes(5, 0, 97), 'snappy: input ends after 1 of the declared 5 bytes at offset 3'],
      [bytes(5, 0, 97, 0x02), 'snappy: truncated copy at offset 3'],
      [bytes(70, 61 << 2, 1), 'snappy: truncated literal length at offset 1'],
    ];
    for (const [input, message] of cases) assert.throws(() => snappyUncompress(input, 1000), { code: 'decode', message });
  });

  it('fails with DecodeError, never anything else, on every truncation of real bodies', () => {
    for (const name of ['prometheus-2.42-demo-stale.snappy', 'prometheus-2.42-node-exporter.snappy']) {
      const body = fixture(name);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => snappyUncompress(body.subarray(0, cut), LIMIT), DecodeError, `${name} cut at ${cut}`);
      }
    }
  });

  it('returns or throws DecodeError on random bytes and on bit flips of a real body', () => {
    const next = seededUint32(42);
    const real = fixture('prometheus-2.42-node-exporter.snappy');
    for (let round = 0; round < 3000; round++) {
      let input: Uint8Array;
      if (round % 2 === 0) {
        input = new Uint8Array(next() % 64);
        for (let i = 0; i < input.length; i++) input[i] = next() & 0xff;
      } else {
        input = real.slice();
        for (let k = 0; k < 3; k++) input[next() % input.length]! ^= 1 << (next() & 7);
      }
      try {
        const out = snappyUncompress(input, 1 << 16);
        assert.equal(out.length, snappyUncompressedLength(input).length);
      } catch (e) {
        assert.ok(e instanceof DecodeError || e instanceof TooLargeError, `round ${round}: ${String(e)}`);
      }
    }
  });
});

describe('snappyCompress', () => {
  it('round-trips inputs of every shape and stays within the worst-case bound', () => {
    for (const input of samples()) {
      const compressed = snappyCompress(input);
      assert.ok(compressed.length <= snappyMaxCompressedLength(input.length));
      assert.deepEqual(snappyUncompress(compressed, input.length), input);
    }
  });

  it('round-trips what Prometheus compressed, and compresses repetitive text well', () => {
    for (const name of PROMETHEUS_BODIES) {
      const raw = snappyUncompress(fixture(name), LIMIT);
      assert.deepEqual(snappyUncompress(snappyCompress(raw), LIMIT), raw, name);
    }
    const text = new TextEncoder().encode('up{job="node"} 1\n'.repeat(10_000));
    assert.ok(snappyCompress(text).length < text.length / 10);
  });
});
