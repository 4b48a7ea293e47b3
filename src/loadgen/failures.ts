// Failures: where one starts (a query, a cache call, a handler…), the exception
// its SDK records, and how it travels up: a remote server's error always
// reaches its client span; from there each enclosing span fails too with some
// probability (callers often retry, fall back or swallow errors). An
// asynchronous consumer never fails its producer.

import type { Rng } from './rng.js';
import type { ExceptionInfo, Failure, FailureSource, SpanNode } from './span-node.js';
import type { Language } from './topology.js';

/** gRPC status codes used here, by number. */
const GRPC_NAMES: Readonly<Record<number, string>> = { 2: 'UNKNOWN', 4: 'DEADLINE_EXCEEDED', 13: 'INTERNAL', 14: 'UNAVAILABLE' };

const PROPAGATE_UP = 0.6;
const SERVER_RECORDS_EXCEPTION = 0.4;

interface Cause {
  type: string;
  message: string;
  grpcStatus: number;
  /** a timeout: the failing span lasts this much longer */
  waitsMs?: number;
}

const CAUSES: Readonly<Record<FailureSource, readonly Cause[]>> = {
  pg: [
    { type: 'QueryCanceled', message: 'canceling statement due to statement timeout', grpcStatus: 4, waitsMs: 3000 },
    { type: 'DeadlockDetected', message: 'deadlock detected', grpcStatus: 13 },
    { type: 'SerializationFailure', message: 'could not serialize access due to concurrent update', grpcStatus: 13 },
    { type: 'TooManyConnections', message: 'remaining connection slots are reserved for non-replication superuser connections', grpcStatus: 14 },
  ],
  redis: [
    { type: 'ConnectionError', message: 'Connection is closed.', grpcStatus: 14 },
    { type: 'TimeoutError', message: 'Command timed out after 500ms', grpcStatus: 4, waitsMs: 500 },
    { type: 'ReplyError', message: "OOM command not allowed when used memory > 'maxmemory'.", grpcStatus: 13 },
  ],
  grpc: [
    { type: 'Unavailable', message: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination', grpcStatus: 14 },
    { type: 'DeadlineExceeded', message: 'deadline exceeded after 1.999832s', grpcStatus: 4, waitsMs: 2000 },
    { type: 'Internal', message: 'failed to decode response: unexpected EOF', grpcStatus: 13 },
  ],
  http: [
    { type: 'SMTPServerDisconnected', message: 'Connection unexpectedly closed: 421 4.7.0 Try again later', grpcStatus: 14 },
    { type: 'TemplateNotFound', message: "template 'confirmation.html' not found", grpcStatus: 13 },
  ],
  kafka: [
    { type: 'NotEnoughReplicas', message: 'kafka server: Messages are rejected since there are fewer in-sync replicas than required', grpcStatus: 14 },
    { type: 'MessageTimedOut', message: 'kafka: Failed to produce message to topic orders: Local: Message timed out', grpcStatus: 4, waitsMs: 1500 },
  ],
  internal: [], // by language, below
};

/** Programming errors, as each runtime words them. */
const BUGS: Readonly<Record<Language, readonly Cause[]>> = {
  nodejs: [
    { type: 'TypeError', message: "Cannot read properties of undefined (reading 'priceUsd')", grpcStatus: 2 },
    { type: 'RangeError', message: 'Invalid currency code : undefined', grpcStatus: 2 },
  ],
  go: [{ type: 'runtime.Error', message: 'runtime error: invalid memory address or nil pointer dereference', grpcStatus: 13 }],
  java: [
    { type: 'java.lang.NullPointerException', message: 'Cannot invoke "String.length()" because "category" is null', grpcStatus: 2 },
    { type: 'java.lang.IllegalStateException', message: 'Ad inventory not loaded', grpcStatus: 13 },
  ],
  python: [{ type: 'KeyError', message: "'price_usd'", grpcStatus: 2 }],
};

/** What a handler's own unhandled error is called when it rethrows a failed call. */
const GENERIC_ERROR: Readonly<Record<Language, string>> = {
  nodejs: 'Error',
  go: '*errors.errorString',
  java: 'java.lang.RuntimeException',
  python: 'Exception',
};

/** Failures only some services have. */
const SERVICE_CAUSES: Readonly<Record<string, readonly Cause[]>> = {
  payment: [
    { type: 'InvalidArgument', message: 'Credit card info is invalid: number failed the Luhn check', grpcStatus: 2 },
    { type: 'CardDeclined', message: 'card declined by issuer: insufficient funds', grpcStatus: 2 },
  ],
};

function causeOf(rng: Rng, node: SpanNode, source: FailureSource): Cause {
  const language = node.instance.profile.language;
  if (source === 'internal') return rng.pick(BUGS[language]);
  const special = SERVICE_CAUSES[node.instance.service.name];
  if (source === 'grpc' && special && rng.chance(0.7)) return rng.pick(special);
  return rng.pick(CAUSES[source]);
}

/** The exception class name each language's library would report for a cause. */
function exceptionType(language: Language, source: FailureSource, cause: Cause): string {
  switch (language) {
    case 'nodejs':
      if (source === 'pg') return 'DatabaseError';
      if (source === 'redis') return cause.type === 'ReplyError' ? 'ReplyError' : 'Error';
      return source === 'internal' ? cause.type : 'Error';

    case 'go':
      if (source === 'internal') return cause.type;
      if (source === 'pg') return '*pgconn.PgError';
      if (source === 'redis') return cause.type === 'ReplyError' ? 'redis.RedisError' : '*net.OpError';
      if (source === 'kafka') return '*sarama.ProducerError';
      return '*status.Error';
    case 'java':
      if (source === 'internal') return cause.type;
      if (source === 'pg') return 'org.postgresql.util.PSQLException';
      if (source === 'redis') return 'io.lettuce.core.RedisCommandTimeoutException';
      if (source === 'kafka') return 'org.apache.kafka.common.errors.TimeoutException';
      return 'io.grpc.StatusRuntimeException';
    case 'python':
      if (source === 'internal') return cause.type;
      if (source === 'pg') return `psycopg2.errors.${cause.type}`;
      if (source === 'redis') return `redis.exceptions.${cause.type}`;
      if (source === 'http') return `smtplib.${cause.type}`;
      return 'grpc.RpcError';
  }
}

function stacktrace(language: Language, service: string, operation: string, type: string, message: string, rng: Rng): string {
  const line = (base: number): number => base + rng.int(0, 3);
  const op = operation.replace(/[^A-Za-z0-9]+/g, '_');
  switch (language) {
    case 'nodejs':
      return [
        `${type}: ${message}`,
        `    at ${op} (/app/${service}/src/handlers.js:${line(112)}:${line(19)})`,
        `    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)`,
        `    at async Object.handle (/app/${service}/src/server.js:${line(58)}:${line(7)})`,
        `    at async ServerUnaryCall.wrapped (/app/node_modules/@opentelemetry/instrumentation-grpc/build/src/serverUtils.js:80:28)`,
      ].join('\n');
    case 'go':
      return [
        `goroutine ${rng.int(40, 9000)} [running]:`,
        'go.opentelemetry.io/otel/sdk/trace.recordStackTrace()',
        '\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.34.0/trace/span.go:551 +0x65',
        'go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc0003a2480, {0x1a4c3e0, 0xc000512f30}, {0xc0004a9b40, 0x1, 0x1})',
        '\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.34.0/trace/span.go:500 +0x35c',
        `main.(*${service.replace('-', '')}).${op}(0xc0001b6000, {0x1c6f5a8, 0xc0004122a0})`,
        `\t/usr/src/app/main.go:${line(241)} +0x${rng.hex(3)}`,
        'google.golang.org/grpc.(*Server).processUnaryRPC(0xc0001c8c00, {0x1c71a60, 0xc000118410}, 0xc000340480)',
        '\t/go/pkg/mod/google.golang.org/grpc@v1.69.2/server.go:1394 +0x1044',
      ].join('\n');
    case 'java':
      return [
        `${type}: ${message}`,
        `\tat oteldemo.${service.replace('-', '')}.${op}(Service.java:${line(187)})`,
        `\tat oteldemo.${service.replace('-', '')}.GrpcHandler.handle(GrpcHandler.java:${line(64)})`,
        '\tat io.grpc.stub.ServerCalls$UnaryServerCallHandler$UnaryServerCallListener.onHalfClose(ServerCalls.java:182)',
        '\tat io.grpc.internal.ServerImpl$JumpToApplicationThreadServerStreamListener$1HalfClosed.runInContext(ServerImpl.java:356)',
        '\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)',
        '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
      ].join('\n');
    case 'python':
      return [
        'Traceback (most recent call last):',
        `  File "/app/${service}_server.py", line ${line(96)}, in ${op}`,
        '    result = handler(request)',
        `  File "/app/${service}/logic.py", line ${line(41)}, in handle`,
        '    return client.execute(payload)',
        `${type}: ${message}`,
      ].join('\n');
  }
}

function exceptionOf(rng: Rng, node: SpanNode, source: FailureSource, cause: Cause): ExceptionInfo {
  const language = node.instance.profile.language;
  const type = exceptionType(language, source, cause);
  const operation = node.name.slice(node.name.lastIndexOf('/') + 1);
  return { type, message: cause.message, stacktrace: stacktrace(language, node.instance.service.name, operation, type, cause.message, rng) };
}

function httpStatusFor(grpcStatus: number): number {
  if (grpcStatus === 14) return 503;
  if (grpcStatus === 4) return 504;
  return 500;
}

function originFailure(rng: Rng, node: SpanNode, source: FailureSource): Failure {
  const cause = causeOf(rng, node, source);
  if (cause.waitsMs) node.workNs += cause.waitsMs * 1e6;
  const exception = exceptionOf(rng, node, source, cause);
  const httpStatus = node.protocol === 'http-server' ? httpStatusFor(cause.grpcStatus) : 0;
  return {
    statusMessage: cause.message,
    errorType: exception.type,
    httpStatus,
    grpcStatus: cause.grpcStatus,
    exception,
  };
}

/** The failure `node` reports when the call beneath it failed with `below`. */
function propagatedFailure(rng: Rng, node: SpanNode, below: Failure): Failure {
  const grpcStatus = below.grpcStatus || 2;
  switch (node.protocol) {
    case 'grpc-client':
      return { statusMessage: below.statusMessage, errorType: GRPC_NAMES[grpcStatus] ?? 'UNKNOWN', httpStatus: 0, grpcStatus, exception: null };
    case 'http-client':
      return { statusMessage: '', errorType: String(below.httpStatus), httpStatus: below.httpStatus, grpcStatus, exception: null };
    case 'http-server': {
      const httpStatus = below.httpStatus || httpStatusFor(grpcStatus);
      const recorded = rng.chance(SERVER_RECORDS_EXCEPTION);
      const message = recorded ? below.statusMessage : '';
      const exception = recorded ? exceptionOf(rng, node, 'internal', { type: GENERIC_ERROR[node.instance.profile.language], message: below.statusMessage, grpcStatus }) : null;
      return { statusMessage: message, errorType: String(httpStatus), httpStatus, grpcStatus, exception };
    }
    case 'grpc-server': {
      const method = node.name.slice(node.name.lastIndexOf('/') + 1);
      const message = `failed to ${method}: ${below.statusMessage}`;
      const exception = rng.chance(SERVER_RECORDS_EXCEPTION)
        ? exceptionOf(rng, node, 'grpc', { type: 'Internal', message, grpcStatus })
        : null;
      return { statusMessage: message, errorType: GRPC_NAMES[grpcStatus] ?? 'UNKNOWN', httpStatus: 0, grpcStatus, exception };
    }
    case 'other':
      return { statusMessage: below.statusMessage, errorType: below.errorType, httpStatus: below.httpStatus, grpcStatus, exception: null };
  }
}

/** `parent` gave up when `failed` failed: the calls it would have made next never happen. */
function dropCallsAfter(parent: SpanNode, failed: SpanNode): void {
  const siblings = parent.children;
  let i = siblings.indexOf(failed) + 1;
  while (i < siblings.length && siblings[i]!.concurrent) i++; // already in flight alongside
  for (; i < siblings.length; i++) dropTree(siblings[i]!);
}

function dropTree(node: SpanNode): void {
  node.dropped = true;
  for (const child of node.children) dropTree(child);
}

/**
 * Makes one span of the trace (a random one that can fail) fail, and lets the
 * error travel up. Call before layoutTrace: spans dropped here take no time.
 */
export function injectFailure(rng: Rng, nodes: readonly SpanNode[]): void {
  let candidates = 0;
  for (const n of nodes) if (n.failSource) candidates++;
  if (candidates === 0) return;
  let k = rng.int(0, candidates - 1);
  let origin: SpanNode | undefined;
  for (const n of nodes) {
    if (n.failSource && k-- === 0) {
      origin = n;
      break;
    }
  }
  if (!origin) return;
  origin.failure = originFailure(rng, origin, origin.failSource!);
  let child = origin;
  let node = origin.parent;
  while (node && child.delayNs === 0) {
    const remoteReturn = node.networkNs > 0; // the client of a failed server always sees the error
    if (!remoteReturn && !rng.chance(PROPAGATE_UP)) break;
    node.failure = propagatedFailure(rng, node, child.failure!);
    if (!remoteReturn) dropCallsAfter(node, child);
    child = node;
    node = node.parent;
  }
}
