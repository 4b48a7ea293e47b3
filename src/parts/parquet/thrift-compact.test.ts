import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactType, ThriftCompactWriter } from './thrift-compact.js';

function bytesOf(write: (w: ThriftCompactWriter) => void): number[] {
  const w = new ThriftCompactWriter();
  w.structBegin();
  write(w);
  w.structEnd();
  return [...w.finish()];
}

describe('ThriftCompactWriter', () => {
  it('delta-encodes field ids up to 15 and writes larger jumps in full', () => {
    assert.deepEqual(
      bytesOf((w) => {
        w.i32Field(1, 3);
        w.i32Field(17, -1);
      }),
      [0x15, 0x06, 0x05, 0x22, 0x01, 0x00],
    );
  });

  it('zigzag-encodes i64 values beyond 32 bits', () => {
    assert.deepEqual(
      bytesOf((w) => w.i64Field(1, 2 ** 40)),
      [0x16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00],
    );
    assert.deepEqual(
      bytesOf((w) => w.i64Field(1, -(2 ** 53 - 1))),
      bytesOfVarint(0x16, 2 ** 54 - 3),
    );
  });

  it('stores booleans in the field type and strings as length + UTF-8', () => {
    assert.deepEqual(
      bytesOf((w) => {
        w.boolField(1, true);
        w.boolField(2, false);
        w.stringField(3, 'é');
      }),
      [0x11, 0x12, 0x18, 0x02, 0xc3, 0xa9, 0x00],
    );
  });

  it('writes short list headers in one byte and long ones with a varint size', () => {
    const short = bytesOf((w) => {
      w.listField(1, CompactType.I32, 2);
      w.i32Element(1);
      w.i32Element(2);
    });
    assert.deepEqual(short, [0x19, 0x25, 0x02, 0x04, 0x00]);
    const long = bytesOf((w) => {
      w.listField(1, CompactType.I32, 20);
      for (let i = 0; i < 20; i++) w.i32Element(0);
    });
    assert.deepEqual(long.slice(0, 3), [0x19, 0xf5, 20]);
    assert.equal(long.length, 3 + 20 + 1);
  });

  it('restarts field ids inside nested structs and restores them after', () => {
    assert.deepEqual(
      bytesOf((w) => {
        w.i32Field(1, 0);
        w.structField(3);
        w.i32Field(1, 0);
        w.structEnd();
        w.i32Field(4, 0);
      }),
      [0x15, 0x00, 0x2c, 0x15, 0x00, 0x00, 0x15, 0x00, 0x00],
    );
  });

  it('refuses to finish with a struct left open', () => {
    const w = new ThriftCompactWriter();
    w.structBegin();
    assert.throws(() => w.finish(), /thrift: 1 struct\(s\) left open/);
  });
});

function bytesOfVarint(header: number, value: number): number[] {
  const out = [header];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v, 0x00);
  return out;
}
