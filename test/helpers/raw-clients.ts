// Clients that send exactly the bytes a test asks for: node:http (so a test
// can choose Content-Length or chunked framing) and a grpc-js client for the
// OTLP TraceService that passes messages through as raw bytes.

import { request } from 'node:http';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface RawPostOptions {
  headers?: Record<string, string>;
  /** send without Content-Length, in chunks of this many bytes (Transfer-Encoding: chunked) */
  chunkBytes?: number;
}

/**
 * POSTs `body` and resolves with the response. The server may answer before
 * it has read the whole body (413) and close; a write error after the
 * response arrived is ignored.
 */
export function rawPost(url: string, body: Uint8Array, options: RawPostOptions = {}): Promise<RawResponse> {
  const chunked = options.chunkBytes !== undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (!chunked) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (!chunked) {
      req.end(body);
      return;
    }
    const step = options.chunkBytes!;
    let off = 0;
    const writeMore = (): void => {
      while (off < body.length && !req.destroyed) {
        const chunk = body.subarray(off, off + step);
        off += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    writeMore();
  });
}

/**
 * Declares a body of `declaredBytes` but sends only a few bytes of it, and
 * resolves with the response the server gives without waiting for the rest.
 */
export function postDeclaringLength(url: string, declaredBytes: number, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(declaredBytes) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(Buffer.alloc(16));
  });
}

export type GrpcExportResult =
  | { ok: true; response: Buffer }
  | { ok: false; code: number; details: string; metadata: Metadata };

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (b: Buffer): Buffer => b;

/** One unary OTLP/gRPC Export call with `message` as the request bytes. */
export function grpcExport(address: string, message: Uint8Array, metadata: Record<string, string> = {}): Promise<GrpcExportResult> {
  const client = new Client(address, credentials.createInsecure());
  const md = new Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise<GrpcExportResult>((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(EXPORT_PATH, identity, identity, Buffer.from(message), md, (err: ServiceError | null, value?: Buffer) => {
      if (err) resolve({ ok: false, code: err.code, details: err.details, metadata: err.metadata });
      else resolve({ ok: true, response: value ?? Buffer.alloc(0) });
    });
  }).finally(() => client.close());
}
