// A JSON-lines ingest as one WAL record of the logs stream: what decoding
// depends on, then the body as received, so replay rebuilds the same batch.
//
//   u32 LE header length | header (UTF-8 JSON: stream, timeField,
//   severityField, receivedNs as a decimal string, gzip, and
//   correlationField when named) | body bytes

import { gunzipSync } from 'node:zlib';
import { DecodeError } from '../model/errors.js';
import { decodeJsonLines, type DecodedJsonLines, type JsonLinesOptions } from './json-lines-decode.js';

interface Header {
  stream: string;
  timeField: string;
  severityField: string;
  receivedNs: string;
  gzip: boolean;
  /** absent in records written before session 8, and when not named */
  correlationField?: string;
}

export function encodeJsonLinesWalRecord(options: JsonLinesOptions, body: Uint8Array, gzip: boolean): Uint8Array {
  const header: Header = { ...options, receivedNs: String(options.receivedNs), gzip };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(4 + headerBytes.length + body.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  out.set(body, 4 + headerBytes.length);
  return out;
}

export function decodeJsonLinesWalRecord(payload: Uint8Array): DecodedJsonLines {
  if (payload.length < 4) throw new DecodeError('logs-wal: JSON-lines record shorter than its header length');
  const headerLength = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
  if (4 + headerLength > payload.length) throw new DecodeError('logs-wal: JSON-lines header runs past the record');
  const header = JSON.parse(Buffer.from(payload.subarray(4, 4 + headerLength)).toString('utf8')) as Header;
  const raw = payload.subarray(4 + headerLength);
  const body = header.gzip ? gunzipSync(raw) : raw;
  return decodeJsonLines(body, {
    stream: header.stream,
    timeField: header.timeField,
    severityField: header.severityField,
    receivedNs: BigInt(header.receivedNs),
    ...(header.correlationField ? { correlationField: header.correlationField } : {}),
  });
}
