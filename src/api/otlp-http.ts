// OTLP/HTTP receiver (POST /v1/traces, /v1/metrics, /v1/logs), on plain node:http: the hot ingest
// path gets no framework between the socket and the decoder. Responses follow
// the OTLP/HTTP spec: ExportTraceServiceResponse (with partial_success) on
// 200, google.rpc.Status on errors, both in the request's content type.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorResponse } from './error-status.js';
import { exportTraces, type ExportRequest } from './trace-export.js';
import { exportMetrics } from './metrics-export.js';
import type { MetricsStore } from '../tsdb/metrics-store.js';
import type { LogStore } from '../store/log-store.js';
import { exportLogs } from './log-export.js';
import { otlpFormatOf, readBody, readBodyInto, type OtlpFormat } from '../receive/request-body.js';
import { encodeExportTraceServiceResponse } from '../receive/otlp-proto-encode.js';
import { OverloadedError, TooLargeError, UnauthorizedError } from '../model/errors.js';
import type { TraceStore } from '../store/trace-store.js';
import { checkBearer } from './auth.js';
import { IDLE_KEEP_ALIVE_MS } from './keep-alive.js';

export interface OtlpHttpOptions {
  maxRequestBytes: number;
  authToken: string;
  /** bodies being decoded at once, in bytes; beyond it new requests get 429 */
  maxInFlightBytes: number;
}

/** google.rpc.Status { code = 1; message = 2 } as protobuf. */
function statusProto(code: number, message: string): Buffer {
  const msg = Buffer.from(message, 'utf8');
  const head: number[] = [0x08, code, 0x12];
  let n = msg.length;
  while (n > 0x7f) {
    head.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  head.push(n);
  return Buffer.concat([Buffer.from(head), msg]);
}

function send(res: ServerResponse, status: number, format: OtlpFormat, body: Uint8Array | string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': format === 'proto' ? 'application/x-protobuf' : 'application/json', ...headers });
  res.end(body);
}

/** One OTLP signal: how to store an export, and how its partial success is named in JSON. */
interface Signal {
  exportBody(req: ExportRequest): Promise<{ rejected: number; message: string }>;
  /** `rejectedSpans`, `rejectedDataPoints`, `rejectedLogRecords` */
  rejectedField: string;
  /** reads and stores an OTLP/protobuf body without a buffer of its own when it can (readBodyInto); undefined when it did not */
  readProtoInto?(req: IncomingMessage, maxBytes: number): Promise<{ rejected: number; message: string } | undefined>;
}

async function readAndExport(signal: Signal, req: IncomingMessage, format: OtlpFormat, maxBytes: number): Promise<{ rejected: number; message: string }> {
  const { raw, body, gzip } = await readBody(req, maxBytes);
  return signal.exportBody(gzip ? { format, body, gzipped: raw } : { format, body });
}

export function createOtlpHttpServer(traces: TraceStore, metrics: MetricsStore, logs: LogStore, options: OtlpHttpOptions): Server {
  let inFlightBytes = 0;
  const signals: Record<string, Signal> = {
    '/v1/traces': {
      exportBody: async (req) => {
        const r = await exportTraces(traces, req);
        return { rejected: r.rejectedSpans, message: r.rejectMessage };
      },
      // protobuf bodies are read straight into the trace store's body arena
      readProtoInto: async (req, maxBytes) => {
        const slot = await readBodyInto(req, maxBytes, (length) => traces.reserveBody(length));
        if (!slot) return undefined;
        const r = await traces.ingestOtlpSlot(slot);
        return { rejected: r.rejected, message: r.rejectMessage };
      },
      rejectedField: 'rejectedSpans',
    },
    '/v1/metrics': { exportBody: (req) => exportMetrics(metrics, req), rejectedField: 'rejectedDataPoints' },
    '/v1/logs': { exportBody: (req) => exportLogs(logs, req), rejectedField: 'rejectedLogRecords' },
  };

  async function handleExport(signal: Signal, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let format: OtlpFormat = 'json';
    let reserved = 0;
    try {
      format = otlpFormatOf(req.headers['content-type']);
      if (!checkBearer(req.headers.authorization, options.authToken)) throw new UnauthorizedError('otlp-http: missing or wrong bearer token');
      reserved = Number(req.headers['content-length']) || options.maxRequestBytes / 16;
      // Before the in-flight check: a body that can never be accepted must get 413, not a retryable 503.
      if (reserved > options.maxRequestBytes) {
        reserved = 0;
        throw new TooLargeError(`otlp-http: body of ${req.headers['content-length']} bytes exceeds the limit of ${options.maxRequestBytes}`);
      }
      if (inFlightBytes + reserved > options.maxInFlightBytes) {
        reserved = 0;
        throw new OverloadedError('otlp-http: too many request bytes in flight', 1);
      }
      inFlightBytes += reserved;
      const result = (format === 'proto' ? await signal.readProtoInto?.(req, options.maxRequestBytes) : undefined) ?? (await readAndExport(signal, req, format, options.maxRequestBytes));
      if (format === 'proto') {
        // Every Export*ServiceResponse has partial_success = 1 { rejected_* = 1, error_message = 2 }: one encoder fits all.
        send(res, 200, format, encodeExportTraceServiceResponse(result.rejected, result.message));
      } else {
        const partial = result.rejected > 0 ? { partialSuccess: { [signal.rejectedField]: String(result.rejected), errorMessage: result.message } } : {};
        send(res, 200, format, JSON.stringify(partial));
      }
    } catch (err) {
      const e = errorResponse(err);
      const headers: Record<string, string> = {};
      if (e.retryAfterSeconds !== undefined) headers['retry-after'] = String(e.retryAfterSeconds);
      if (e.status === 401) headers['www-authenticate'] = 'Bearer';
      const body = format === 'proto' ? statusProto(e.grpcStatus, e.message) : JSON.stringify({ code: e.grpcStatus, message: e.message });
      if (!req.complete) headers['connection'] = 'close';
      send(res, e.status, format, body, headers);
    } finally {
      inFlightBytes -= reserved;
    }
  }

  return createServer({ keepAliveTimeout: IDLE_KEEP_ALIVE_MS }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const signal = path === undefined ? undefined : signals[path];
    if (signal) {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end(JSON.stringify({ code: 12, message: 'otlp-http: use POST' }));
        return;
      }
      void handleExport(signal, req, res);
      return;
    }
    if (path === '/ready' || path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ready');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 5, message: `otlp-http: no route for ${path}` }));
  });
}
