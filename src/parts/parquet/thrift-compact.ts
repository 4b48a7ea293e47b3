// Thrift compact protocol, write side only: just what Parquet metadata needs
// (structs, lists, i16/i32/i64, bool, binary/string). Fields must be written
// in ascending id order within a struct; the writer delta-encodes ids.
//
//   field header   (id - lastId) << 4 | type      when 0 < id - lastId ≤ 15
//                  type, zigzag varint id        otherwise
//   i16/i32/i64    zigzag ULEB128 varint
//   bool field     the value is the header type: 1 = true, 2 = false
//   binary         varint length, bytes
//   list header    size << 4 | elemType          when size < 15
//                  0xf0 | elemType, varint size  otherwise
//   struct         fields, then a 0 stop byte

export const CompactType = {
  BOOLEAN_TRUE: 1,
  BOOLEAN_FALSE: 2,
  I16: 4,
  I32: 5,
  I64: 6,
  BINARY: 8,
  LIST: 9,
  STRUCT: 12,
} as const;
export type CompactType = (typeof CompactType)[keyof typeof CompactType];

export class ThriftCompactWriter {
  private bytes: Buffer = Buffer.allocUnsafe(256);
  private pos = 0;
  private lastFieldId = 0;
  /** lastFieldId of each enclosing struct. */
  private readonly enclosingFieldIds: number[] = [];

  /** The bytes written so far (a copy, so the writer can be dropped). */
  finish(): Uint8Array {
    if (this.enclosingFieldIds.length !== 0) {
      throw new Error(`thrift: ${this.enclosingFieldIds.length} struct(s) left open`);
    }
    return Uint8Array.prototype.slice.call(this.bytes, 0, this.pos);
  }

  /** Starts a struct that is a list element or the top-level value (no field header). */
  structBegin(): void {
    this.enclosingFieldIds.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  structEnd(): void {
    this.byte(0);
    const outer = this.enclosingFieldIds.pop();
    if (outer === undefined) throw new Error('thrift: structEnd without structBegin');
    this.lastFieldId = outer;
  }

  structField(id: number): void {
    this.fieldHeader(id, CompactType.STRUCT);
    this.structBegin();
  }

  i16Field(id: number, value: number): void {
    this.fieldHeader(id, CompactType.I16);
    this.varint32(zigzag32(value));
  }

  i32Field(id: number, value: number): void {
    this.fieldHeader(id, CompactType.I32);
    this.varint32(zigzag32(value));
  }

  /** `value` must be a safe integer (byte offsets and counts are). */
  i64Field(id: number, value: number): void {
    this.fieldHeader(id, CompactType.I64);
    this.varintSafe(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  boolField(id: number, value: boolean): void {
    this.fieldHeader(id, value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE);
  }

  binaryField(id: number, value: Uint8Array): void {
    this.fieldHeader(id, CompactType.BINARY);
    this.binary(value);
  }

  stringField(id: number, value: string): void {
    this.fieldHeader(id, CompactType.BINARY);
    this.string(value);
  }

  listField(id: number, elementType: CompactType, size: number): void {
    this.fieldHeader(id, CompactType.LIST);
    if (size < 15) {
      this.byte((size << 4) | elementType);
    } else {
      this.byte(0xf0 | elementType);
      this.varint32(size);
    }
  }

  /** An i32 list element (also enums). */
  i32Element(value: number): void {
    this.varint32(zigzag32(value));
  }

  stringElement(value: string): void {
    this.string(value);
  }

  private fieldHeader(id: number, type: CompactType): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.varint32(zigzag32(id));
    }
    this.lastFieldId = id;
  }

  private binary(value: Uint8Array): void {
    this.varint32(value.length);
    this.reserve(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  private string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.varint32(length);
    this.reserve(length);
    this.pos += this.bytes.write(value, this.pos, length, 'utf8');
  }

  private byte(value: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = value;
  }

  /** ULEB128 of an unsigned 32-bit value. */
  private varint32(value: number): void {
    this.reserve(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.bytes[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.pos++] = v;
  }

  /** ULEB128 of a non-negative safe integer (beyond 32 bits: no bit operators). */
  private varintSafe(value: number): void {
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.pos++] = v;
  }

  private reserve(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.pos + extra));
    this.bytes.copy(grown, 0, 0, this.pos);
    this.bytes = grown;
  }
}

function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}
