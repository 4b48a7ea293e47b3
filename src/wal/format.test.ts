import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32, crc32Table } from './crc32.js';
import { checkRecord, checkSegmentHeader, encodeSegmentHeader, frameRecord } from './format.js';
import { payloadFor } from './wal-test-helpers.js';

describe('WAL format', () => {
  it('frames a record exactly as docs/format/wal.md draws it', () => {
    const frame = frameRecord(3, 0x01_0203_0405, Buffer.from('hi'));
    assert.deepEqual([...frame], [
      0x02, 0x00, 0x00, 0x00,                         // len
      0x03, 0xb3, 0x74, 0x16,                         // crc32(len ‖ type ‖ seq ‖ payload)
      0x03,                                           // type
      0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, // seq
      0x68, 0x69,                                     // payload
    ]);
    assert.equal(checkRecord(frame, 0x01_0203_0405), undefined);
    assert.equal(checkRecord(frame, 7), 'seq 4328719365, expected 7');
  });

  it('writes a segment header with magic, version and first seq', () => {
    const header = encodeSegmentHeader(258);
    assert.deepEqual([...header], [0x4d, 0x51, 0x57, 0x41, 0x4c, 0x31, 1, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0]);
    assert.equal(checkSegmentHeader(header, 258), undefined);
    assert.equal(checkSegmentHeader(header, 1), 'segment starts at seq 258, expected 1');
    assert.equal(checkSegmentHeader(header.subarray(0, 9), 258), 'segment header is 9 bytes, expected 16');
  });

  it('round-trips the largest safe sequence number', () => {
    const frame = frameRecord(1, Number.MAX_SAFE_INTEGER, new Uint8Array(0));
    assert.equal(checkRecord(frame, Number.MAX_SAFE_INTEGER), undefined);
  });

  it('computes the same CRC-32 with the table fallback as with zlib', () => {
    assert.equal(crc32Table(Buffer.from('123456789'), 0), 0xcbf43926);
    for (const size of [0, 1, 7, 64, 1000, 65_537]) {
      const data = payloadFor(size + 1, size);
      assert.equal(crc32Table(data, 0), zlib.crc32(data));
      assert.equal(crc32Table(data.subarray(size >> 1), crc32Table(data.subarray(0, size >> 1), 0)), crc32(data, 0));
    }
  });
});
