// OTLP/gRPC receiver: TraceService/Export, MetricsService/Export and LogsService/Export.
// Messages pass through grpc-js as raw bytes (it undoes grpc-encoding gzip)
// and go to the same column decoder as OTLP/HTTP.

import { Server, ServerCredentials, status, Metadata, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { errorResponse } from './error-status.js';
import { exportTraces } from './trace-export.js';
import { exportMetrics } from './metrics-export.js';
import type { MetricsStore } from '../tsdb/metrics-store.js';
import type { LogStore } from '../store/log-store.js';
import { exportLogs } from './log-export.js';
import { encodeExportTraceServiceResponse } from '../receive/otlp-proto-encode.js';
import type { TraceStore } from '../store/trace-store.js';
import { checkBearer } from './auth.js';

const identity = (b: Buffer): Buffer => b;

/** An OTLP collector service whose Export takes and returns raw bytes. */
function exportService(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

export interface OtlpGrpcOptions {
  maxRequestBytes: number;
  authToken: string;
}

type Exporter = (body: Buffer) => Promise<{ rejected: number; message: string }>;

function exportHandler(exporter: Exporter, authToken: string) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const auth = call.metadata.get('authorization')[0];
    if (!checkBearer(typeof auth === 'string' ? auth : undefined, authToken)) {
      callback({ code: status.UNAUTHENTICATED, details: 'otlp-grpc: missing or wrong bearer token' });
      return;
    }
    exporter(call.request).then(
      // Every Export*ServiceResponse has partial_success = 1 { rejected_* = 1, error_message = 2 }.
      (r) => callback(null, Buffer.from(encodeExportTraceServiceResponse(r.rejected, r.message))),
      (err: unknown) => {
        const e = errorResponse(err);
        const metadata = new Metadata();
        if (e.retryAfterSeconds !== undefined) metadata.set('retry-after', String(e.retryAfterSeconds));
        callback({ code: e.grpcStatus, details: e.message, metadata });
      },
    );
  };
}

export function createOtlpGrpcServer(traces: TraceStore, metrics: MetricsStore, logs: LogStore, options: OtlpGrpcOptions): Server {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxRequestBytes,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  });
  server.addService(
    exportService('/opentelemetry.proto.collector.trace.v1.TraceService/Export'),
    {
      Export: exportHandler(async (body) => {
        const r = await exportTraces(traces, { format: 'proto', body });
        return { rejected: r.rejectedSpans, message: r.rejectMessage };
      }, options.authToken),
    },
  );
  server.addService(
    exportService('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'),
    { Export: exportHandler((body) => exportMetrics(metrics, { format: 'proto', body }), options.authToken) },
  );
  server.addService(
    exportService('/opentelemetry.proto.collector.logs.v1.LogsService/Export'),
    { Export: exportHandler((body) => exportLogs(logs, { format: 'proto', body }), options.authToken) },
  );
  return server;
}

/** Binds and starts; resolves with the bound port. */
export function listenGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(err);
      else resolve(bound);
    });
  });
}
