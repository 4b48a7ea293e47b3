// OTLP/gRPC receiver: opentelemetry.proto.collector.trace.v1.TraceService/Export.
// Messages pass through grpc-js as raw bytes (it undoes grpc-encoding gzip)
// and go to the same column decoder as OTLP/HTTP.

import { Server, ServerCredentials, status, Metadata, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { errorResponse } from './error-status.js';
import { exportTraces } from './trace-export.js';
import { encodeExportTraceServiceResponse } from '../receive/otlp-proto-encode.js';
import type { TraceStore } from '../store/trace-store.js';
import { checkBearer } from './auth.js';

const identity = (b: Buffer): Buffer => b;

const traceServiceDefinition: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export interface OtlpGrpcOptions {
  maxRequestBytes: number;
  authToken: string;
}

export function createOtlpGrpcServer(store: TraceStore, options: OtlpGrpcOptions): Server {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxRequestBytes,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  });
  server.addService(traceServiceDefinition, {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const auth = call.metadata.get('authorization')[0];
      if (!checkBearer(typeof auth === 'string' ? auth : undefined, options.authToken)) {
        callback({ code: status.UNAUTHENTICATED, details: 'otlp-grpc: missing or wrong bearer token' });
        return;
      }
      exportTraces(store, { format: 'proto', body: call.request }).then(
        (r) => callback(null, Buffer.from(encodeExportTraceServiceResponse(r.rejectedSpans, r.rejectMessage))),
        (err: unknown) => {
          const e = errorResponse(err);
          const metadata = new Metadata();
          if (e.retryAfterSeconds !== undefined) metadata.set('retry-after', String(e.retryAfterSeconds));
          callback({ code: e.grpcStatus, details: e.message, metadata });
        },
      );
    },
  });
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
