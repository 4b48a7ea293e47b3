// The one table from domain error codes to HTTP and gRPC statuses.

import { status as GrpcStatus } from '@grpc/grpc-js';
import { MarquetryError, OverloadedError, type ErrorCode } from '../model/errors.js';

const HTTP_STATUS: Record<ErrorCode, number> = {
  decode: 400,
  bad_query: 400,
  unsupported_query: 400,
  unauthorized: 401,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  overloaded: 503,
  closed: 503,
  wal_corrupt: 500,
  timeout: 504,
};

const GRPC_STATUS: Record<ErrorCode, GrpcStatus> = {
  decode: GrpcStatus.INVALID_ARGUMENT,
  bad_query: GrpcStatus.INVALID_ARGUMENT,
  unsupported_query: GrpcStatus.INVALID_ARGUMENT,
  unauthorized: GrpcStatus.UNAUTHENTICATED,
  not_found: GrpcStatus.NOT_FOUND,
  too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  unsupported_media_type: GrpcStatus.INVALID_ARGUMENT,
  // UNAVAILABLE is retryable for OTLP exporters without RetryInfo.
  overloaded: GrpcStatus.UNAVAILABLE,
  closed: GrpcStatus.UNAVAILABLE,
  wal_corrupt: GrpcStatus.INTERNAL,
  timeout: GrpcStatus.DEADLINE_EXCEEDED,
};

export interface ErrorResponse {
  status: number;
  grpcStatus: GrpcStatus;
  message: string;
  retryAfterSeconds?: number;
}

export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof MarquetryError) {
    const r: ErrorResponse = { status: HTTP_STATUS[err.code], grpcStatus: GRPC_STATUS[err.code], message: err.message };
    if (err instanceof OverloadedError) r.retryAfterSeconds = err.retryAfterSeconds;
    else if (err.code === 'closed') r.retryAfterSeconds = 5;
    return r;
  }
  console.error(err);
  return { status: 500, grpcStatus: GrpcStatus.INTERNAL, message: `internal error: ${(err as Error)?.message ?? String(err)}` };
}
