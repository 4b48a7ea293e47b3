// A tiny protobuf field reader for tests that check response bytes by hand,
// independent of the project's own decoder (so a shared bug cannot hide).

export interface ProtoField {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
  wire: number;
  /** varint/fixed values */
  int: bigint;
  /** length-delimited payload (empty otherwise) */
  bytes: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error(`proto-fields: truncated varint at offset ${pos}`);
    const b = buf[pos++]!;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [v, pos];
    shift += 7n;
  }
}

/** Top-level fields of one message, in wire order. Throws on malformed input. */
export function protoFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, next] = readVarint(buf, pos);
      out.push({ field, wire, int: v, bytes: new Uint8Array(0) });
      pos = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, pos);
      const end = next + Number(len);
      if (end > buf.length) throw new Error(`proto-fields: field ${field} runs past the end`);
      out.push({ field, wire, int: 0n, bytes: buf.subarray(next, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      let v = 0n;
      for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(buf[pos + k]!);
      out.push({ field, wire, int: v, bytes: new Uint8Array(0) });
      pos += size;
    } else {
      throw new Error(`proto-fields: unsupported wire type ${wire}`);
    }
  }
  return out;
}

/** google.rpc.Status { int32 code = 1; string message = 2 } */
export function decodeRpcStatus(buf: Uint8Array): { code: number; message: string } {
  let code = 0;
  let message = '';
  for (const f of protoFields(buf)) {
    if (f.field === 1 && f.wire === 0) code = Number(f.int);
    if (f.field === 2 && f.wire === 2) message = Buffer.from(f.bytes).toString('utf8');
  }
  return { code, message };
}

/**
 * ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1 }
 * with ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2 }.
 * undefined when partial_success is absent (all accepted).
 */
export function decodePartialSuccess(buf: Uint8Array): { rejectedSpans: number; errorMessage: string } | undefined {
  const outer = protoFields(buf).find((f) => f.field === 1 && f.wire === 2);
  if (!outer) return undefined;
  let rejectedSpans = 0;
  let errorMessage = '';
  for (const f of protoFields(outer.bytes)) {
    if (f.field === 1 && f.wire === 0) rejectedSpans = Number(f.int);
    if (f.field === 2 && f.wire === 2) errorMessage = Buffer.from(f.bytes).toString('utf8');
  }
  return { rejectedSpans, errorMessage };
}
