// Skipping fields we do not read. ProtoReader.skipUnknown refuses a field that
// is known (listed in `expected`, wire type per field number, -1 for unknown)
// whatever its wire type, as it expects the caller to have handled it; here a
// known field we merely pass over is skipped when its wire type is right.

import type { ProtoReader } from '../protobuf-reader.js';

/** Skips the field just tagged: known with the expected wire type, or unknown; otherwise DecodeError. */
export function skipField(r: ProtoReader, tag: number, expected: readonly number[], message: string): void {
  const field = tag >>> 3;
  if (field < expected.length && expected[field] === (tag & 7)) r.skip(tag);
  else r.skipUnknown(tag, expected, message);
}
