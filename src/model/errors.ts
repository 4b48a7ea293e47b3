// Domain errors. Deep code throws these knowing nothing of HTTP or gRPC; the
// api layer maps `code` to a status in one table (src/api/errors.ts).

export type ErrorCode =
  | 'decode'
  | 'too_large'
  | 'unsupported_media_type'
  | 'overloaded'
  | 'bad_query'
  | 'unsupported_query'
  | 'not_found'
  | 'wal_corrupt'
  | 'unauthorized'
  | 'closed'
  | 'timeout';

export abstract class MarquetryError extends Error {
  abstract readonly code: ErrorCode;
}

/** Malformed protobuf/JSON/other input; nothing from the request was stored. */
export class DecodeError extends MarquetryError {
  readonly code = 'decode';
}

export class TooLargeError extends MarquetryError {
  readonly code = 'too_large';
}

export class UnsupportedMediaTypeError extends MarquetryError {
  readonly code = 'unsupported_media_type';
}

/** The server cannot take more now; the client should retry after `retryAfterSeconds`. */
export class OverloadedError extends MarquetryError {
  readonly code = 'overloaded';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** A query that is wrong (syntax, bad parameter). */
export class BadQueryError extends MarquetryError {
  readonly code = 'bad_query';
}

/** Valid syntax that marquetry does not support yet; the message says what. */
export class UnsupportedQueryError extends MarquetryError {
  readonly code = 'unsupported_query';
}

export class NotFoundError extends MarquetryError {
  readonly code = 'not_found';
}

export class WalCorruptError extends MarquetryError {
  readonly code = 'wal_corrupt';
}

export class UnauthorizedError extends MarquetryError {
  readonly code = 'unauthorized';
}

/** The component was closed (server shutting down). */
export class ClosedError extends MarquetryError {
  readonly code = 'closed';
}

/** A query ran past its time limit and was interrupted. */
export class QueryTimeoutError extends MarquetryError {
  readonly code = 'timeout';
}
