// Trace and span ids in OTLP/JSON: hex strings (case-insensitive), the OTLP
// exception to the base64 that the protobuf JSON mapping uses for bytes.

import { JsonShapeError, describe, fieldOf, keyUsed, type JsonObject } from './otlp-json-fields.js';

// Nibble value of an ASCII code, -1 for a non-hex character.
const HEX_NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_NIBBLE[65 + c] = 10 + c;
  HEX_NIBBLE[97 + c] = 10 + c;
}

function nibbleAt(hex: string, k: number): number {
  const c = hex.charCodeAt(k);
  return c < 128 ? HEX_NIBBLE[c]! : -1;
}

/**
 * The hex text of an id field, '' when missing or null. Any length is
 * returned (the caller decides what a wrong length means); a non-string or a
 * non-hex character is a malformed request.
 */
export function readHexText(o: JsonObject, camel: string, snake: string): string {
  const v = fieldOf(o, camel, snake);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') {
    let nibbles = 0;
    for (let k = 0; k < v.length; k++) nibbles |= nibbleAt(v, k);
    if (nibbles >= 0) return v; // negative once any character is not hex
  }
  throw new JsonShapeError(`expected hex string, got ${describe(v)}`, keyUsed(o, camel, snake));
}

/**
 * Writes checked hex text of exactly 2 * byteLength characters into
 * out[offset, offset + byteLength); returns false when every byte is zero.
 */
export function writeHexId(hex: string, out: Uint8Array, offset: number, byteLength: number): boolean {
  let any = 0;
  for (let j = 0; j < byteLength; j++) {
    const byte = (nibbleAt(hex, 2 * j) << 4) | nibbleAt(hex, 2 * j + 1);
    out[offset + j] = byte;
    any |= byte;
  }
  return any !== 0;
}

/** An id for a rejection message: `traceId "abc"`, `spanId (missing)`. */
export function idText(o: JsonObject, camel: string, snake: string): string {
  const v = fieldOf(o, camel, snake);
  if (v === undefined || v === null) return `${camel} (missing)`;
  return `${keyUsed(o, camel, snake)} ${describe(v)}`;
}
