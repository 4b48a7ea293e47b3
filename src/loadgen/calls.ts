// Protocol-level span builders: a gRPC or HTTP call (client span + the remote
// server span inside it), a PostgreSQL query, a Redis command, a Kafka publish
// and its consumer, with the attributes the OpenTelemetry semantic conventions
// give them. Status-dependent attributes (status codes, error.type) are added
// when the span is written, after failures are decided.

import type { Rng } from './rng.js';
import { addEvent, SpanKind, type SpanNode, type TraceShaper } from './span-node.js';
import type { Instance } from './topology.js';

/** One visitor request: the shaper plus what stays constant along the trace. */
export interface Visit {
  t: TraceShaper;
  rng: Rng;
  userId: string;
  sessionId: string;
  currency: string;
  /** ms since the epoch, for values that grow with time (Kafka offsets) */
  nowMs: number;
}

function ephemeralPort(rng: Rng): bigint {
  return BigInt(rng.int(32768, 60999));
}

/** Otelgrpc (Go) records one "message" event per message sent or received. */
function grpcMessageEvents(rng: Rng, node: SpanNode, firstType: 'SENT' | 'RECEIVED'): void {
  if (node.instance.profile.language !== 'go') return;
  const secondType = firstType === 'SENT' ? 'RECEIVED' : 'SENT';
  addEvent(node, 'message', 0.02, ['message.type', firstType, 'message.id', 1n, 'message.uncompressed_size', BigInt(rng.int(8, 400))]);
  addEvent(node, 'message', 0.98, ['message.type', secondType, 'message.id', 1n, 'message.uncompressed_size', BigInt(rng.int(20, 4000))]);
}

/**
 * A unary gRPC call from `parent`'s instance to `service`; returns the server
 * span (add the callee's work under it), or null when the trace is full.
 */
export function grpcCall(v: Visit, parent: SpanNode, service: string, rpcService: string, method: string): SpanNode | null {
  const { t, rng } = v;
  if (!t.fits(parent, 2)) return null;
  const callee = t.instanceOf(service);
  const name = `${rpcService}/${method}`;
  const client = t.add(parent, { instance: parent.instance, role: 'grpc', kind: SpanKind.Client, name, workNs: 0, protocol: 'grpc-client' })!;
  client.networkNs = rng.logNormal(250_000, 0.5);
  client.attrs.push('rpc.system', 'grpc', 'rpc.service', rpcService, 'rpc.method', method);
  client.attrs.push('server.address', service, 'server.port', BigInt(callee.service.port));
  grpcMessageEvents(rng, client, 'SENT');
  if (rng.chance(0.004)) {
    addEvent(client, 'retry', 0.3, ['retry.attempt', 1n, 'retry.reason', 'UNAVAILABLE: connection reset by peer']);
  }
  const server = t.add(client, {
    instance: callee,
    role: 'grpc',
    kind: SpanKind.Server,
    name,
    workNs: t.ms(0.3, 0.8),
    protocol: 'grpc-server',
    failSource: 'grpc',
  })!;
  server.attrs.push('rpc.system', 'grpc', 'rpc.service', rpcService, 'rpc.method', method);
  server.attrs.push('network.peer.address', parent.instance.ip, 'network.peer.port', ephemeralPort(rng));
  grpcMessageEvents(rng, server, 'RECEIVED');
  return server;
}

export interface HttpRequestSpec {
  method: string;
  route: string;
  path: string;
  bodyBytes: number;
}

/** An HTTP call to `service`; returns the server span, or null when the trace is full. */
export function httpCall(v: Visit, parent: SpanNode, service: string, req: HttpRequestSpec): SpanNode | null {
  const { t, rng } = v;
  if (!t.fits(parent, 2)) return null;
  const callee = t.instanceOf(service);
  const port = BigInt(callee.service.port);
  const client = t.add(parent, { instance: parent.instance, role: 'httpClient', kind: SpanKind.Client, name: req.method, workNs: 0, protocol: 'http-client' })!;
  client.networkNs = rng.logNormal(350_000, 0.5);
  client.attrs.push('http.request.method', req.method, 'url.full', `http://${service}:${port}${req.path}`);
  client.attrs.push('server.address', service, 'server.port', port, 'network.protocol.version', '1.1');
  if (req.bodyBytes > 0) client.attrs.push('http.request.body.size', BigInt(req.bodyBytes));
  const server = t.add(client, {
    instance: callee,
    role: 'httpServer',
    kind: SpanKind.Server,
    name: `${req.method} ${req.route}`,
    workNs: t.ms(0.4, 0.7),
    protocol: 'http-server',
    failSource: 'http',
  })!;
  server.attrs.push('http.request.method', req.method, 'http.route', req.route, 'url.path', req.path, 'url.scheme', 'http');
  server.attrs.push('server.address', service, 'server.port', port, 'network.protocol.version', '1.1');
  server.attrs.push('client.address', parent.instance.ip, 'network.peer.address', parent.instance.ip, 'network.peer.port', ephemeralPort(rng));
  server.attrs.push('user_agent.original', parent.instance.profile.language === 'go' ? 'Go-http-client/1.1' : 'python-requests/2.32.3');
  if (req.bodyBytes > 0) server.attrs.push('http.request.body.size', BigInt(req.bodyBytes));
  return server;
}

export interface PgDatabase {
  name: string;
  host: string;
  user: string;
}

/**
 * A PostgreSQL query. `statement` is what the driver reports (placeholders or
 * literal values, as the application wrote it); `values` the bound parameters
 * when the instrumentation records them.
 */
export function pgQuery(
  v: Visit,
  parent: SpanNode,
  db: PgDatabase,
  operation: string,
  table: string,
  statement: string,
  values: readonly string[] | null = null,
): SpanNode | null {
  const { t, rng } = v;
  // most queries take about a millisecond; one in fifty waits on a lock or a cold page
  const workNs = rng.chance(0.02) ? t.ms(25, 0.8) : t.ms(0.9, 0.9);
  const node = t.add(parent, { instance: parent.instance, role: 'pg', kind: SpanKind.Client, name: `${operation} ${table}`, workNs, failSource: 'pg' });
  if (!node) return null;
  node.attrs.push('db.system', 'postgresql', 'db.name', db.name, 'db.user', db.user, 'db.statement', statement, 'db.operation', operation);
  node.attrs.push('server.address', db.host, 'server.port', 5432n);
  if (values) node.attrs.push('db.postgresql.values', values);
  return node;
}

/** A Redis command; `hit` is recorded as app.cache.hit for reads (null: not a cache read). */
export function redisCommand(v: Visit, parent: SpanNode, host: string, command: string, args: string, hit: boolean | null): SpanNode | null {
  const { t } = v;
  const node = t.add(parent, { instance: parent.instance, role: 'redis', kind: SpanKind.Client, name: `redis ${command}`, workNs: t.ms(0.25, 0.6), failSource: 'redis' });
  if (!node) return null;
  node.attrs.push('db.system', 'redis', 'db.statement', `${command} ${args}`, 'db.operation', command);
  node.attrs.push('server.address', host, 'server.port', 6379n);
  if (parent.instance.profile.language === 'python') node.attrs.push('db.redis.database_index', 0n);
  if (hit !== null) node.attrs.push('app.cache.hit', hit);
  return node;
}

export interface KafkaMessage {
  topic: string;
  key: string;
  bodyBytes: number;
  partition: number;
  offset: bigint;
}

/** A message to publish; partition by key hash as the default partitioner would, offsets grow ~200/s per partition. */
export function kafkaMessage(v: Visit, topic: string, key: string, bodyBytes: number): KafkaMessage {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  const partition = (hash >>> 0) % 6;
  const offset = BigInt((Math.floor(v.nowMs / 5) % 1_000_000_000) + partition * 7_919 + v.rng.int(0, 400));
  return { topic, key, bodyBytes, partition, offset };
}

/** Publishes a message; returns the producer span (consumers go under it), or null when full. */
export function kafkaPublish(v: Visit, parent: SpanNode, msg: KafkaMessage): SpanNode | null {
  const { t } = v;
  const node = t.add(parent, { instance: parent.instance, role: 'kafka', kind: SpanKind.Producer, name: `${msg.topic} publish`, workNs: t.ms(2.5, 0.6), failSource: 'kafka' });
  if (!node) return null;
  node.attrs.push('messaging.system', 'kafka', 'messaging.destination.name', msg.topic, 'messaging.operation', 'publish');
  node.attrs.push('messaging.kafka.destination.partition', BigInt(msg.partition), 'messaging.kafka.message.key', msg.key);
  node.attrs.push('messaging.kafka.message.offset', msg.offset, 'messaging.message.body.size', BigInt(msg.bodyBytes));
  node.attrs.push('messaging.client_id', `${parent.instance.service.name}-producer`, 'server.address', 'kafka', 'server.port', 9092n);
  return node;
}

/** The consumer of `producer`'s message in consumer group `service`; it runs after the publish ends. */
export function kafkaConsume(v: Visit, producer: SpanNode, service: string, msg: KafkaMessage): SpanNode | null {
  const { t, rng } = v;
  const consumer: Instance = t.instanceOf(service);
  const node = t.add(producer, { instance: consumer, role: 'kafka', kind: SpanKind.Consumer, name: `${msg.topic} process`, workNs: t.ms(0.4, 0.6) });
  if (!node) return null;
  node.delayNs = rng.logNormal(12e6, 1.0); // queueing + poll interval
  node.attrs.push('messaging.system', 'kafka', 'messaging.destination.name', msg.topic, 'messaging.operation', 'process');
  node.attrs.push('messaging.kafka.consumer.group', service, 'messaging.kafka.destination.partition', BigInt(msg.partition));
  node.attrs.push('messaging.kafka.message.offset', msg.offset, 'messaging.kafka.message.key', msg.key);
  node.attrs.push('messaging.message.body.size', BigInt(msg.bodyBytes), 'messaging.client_id', `consumer-${service}-${(consumer.index % 3) + 1}`);
  // a consumer polling a batch links the other messages of the batch (other traces)
  node.linked = rng.chance(0.3);
  return node;
}

/** An in-process span the application makes by hand. */
export function internalSpan(v: Visit, parent: SpanNode, name: string, medianMs: number): SpanNode | null {
  return v.t.add(parent, { instance: parent.instance, role: 'manual', kind: SpanKind.Internal, name, workNs: v.t.ms(medianMs, 0.7), failSource: 'internal' });
}
