// Reading an OTLP/HTTP request body within limits: the declared length is
// checked before reading, the stream is cut when it exceeds the limit, and a
// gzip body may not inflate past the limit either (no zip bombs).

import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { DecodeError, TooLargeError, UnsupportedMediaTypeError } from '../model/errors.js';

export type OtlpFormat = 'proto' | 'json';

export function otlpFormatOf(contentType: string | undefined): OtlpFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'proto';
  if (type === 'application/json') return 'json';
  throw new UnsupportedMediaTypeError(
    `otlp-http: content type "${contentType ?? ''}" is not supported; send application/x-protobuf or application/json`,
  );
}

export interface RawBody {
  /** bytes as received (possibly gzip) */
  raw: Buffer;
  /** bytes after Content-Encoding was undone */
  body: Buffer;
  gzip: boolean;
}

/**
 * Reads the whole body, enforcing `maxBytes` on both the wire and the
 * decompressed size; `stage` names the receiver in errors.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, stage = 'otlp-http'): Promise<RawBody> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new UnsupportedMediaTypeError(`${stage}: content encoding "${encoding}" is not supported; use gzip or none`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw new TooLargeError(`${stage}: body of ${declared} bytes exceeds the limit of ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume(); // drain the rest without keeping it
      throw new TooLargeError(`${stage}: body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  if (encoding !== 'gzip') return { raw, body: raw, gzip: false };
  return { raw, body: gunzipBounded(raw, maxBytes, stage), gzip: true };
}

/** Room for a body of a known length, e.g. a slot of a body arena (src/store/body-arena.ts). */
export interface BodySpace {
  readonly bytes: Uint8Array;
  release(): void;
}

/**
 * readBody() of an uncompressed body that declares its length, read straight
 * into a space `reserve` gives for it: no buffer of its own, no
 * concatenation of the chunks. Undefined when that does not apply (gzip, no
 * Content-Length, over the limit, no space): read it with readBody() then.
 * On error the space is released.
 */
export async function readBodyInto<S extends BodySpace>(req: IncomingMessage, maxBytes: number, reserve: (length: number) => S | undefined): Promise<S | undefined> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (encoding !== 'identity' || !Number.isSafeInteger(declared) || declared <= 0 || declared > maxBytes) return undefined;
  const space = reserve(declared);
  if (!space) return undefined;
  try {
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      // HTTP/1.1 framing holds a body to its Content-Length; checked all the same
      if (size + chunk.length > declared) throw new DecodeError(`otlp-http: body longer than its Content-Length ${declared}`);
      space.bytes.set(chunk, size);
      size += chunk.length;
    }
    if (size !== declared) throw new DecodeError(`otlp-http: body of ${size} bytes, Content-Length ${declared}`);
    return space;
  } catch (err) {
    space.release();
    throw err;
  }
}

export function gunzipBounded(raw: Uint8Array, maxBytes: number, stage = 'otlp-http'): Buffer {
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || (err instanceof RangeError && /maxOutputLength|too large/i.test(err.message))) {
      throw new TooLargeError(`${stage}: gzip body inflates past the limit of ${maxBytes} bytes`);
    }
    throw new DecodeError(`${stage}: gzip body is corrupt: ${(err as Error).message}`);
  }
}
