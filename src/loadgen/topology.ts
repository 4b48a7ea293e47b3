// The simulated fleet: services of an online shop, each a few instances with
// the SDK, runtime and host identity a real deployment reports. The fleet is
// drawn once from a fixed seed, so every run (whatever its --seed) talks about
// the same instances, as a real cluster would.

import { Rng } from './rng.js';

export type Language = 'nodejs' | 'go' | 'java' | 'python';

/** What an instrumentation scope is used for inside a service. */
export type ScopeRole = 'httpServer' | 'httpClient' | 'framework' | 'grpc' | 'pg' | 'redis' | 'kafka' | 'manual';

export interface ScopeSpec {
  name: string;
  version: string;
  schemaUrl: string;
  attributes: readonly (readonly [key: string, value: string])[];
}

export interface RuntimeProfile {
  language: Language;
  sdkVersion: string;
  resourceSchemaUrl: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeDescription: string;
  /** extra resource attributes every SDK of this language sends */
  extra: readonly (readonly [key: string, value: string])[];
  scopes: Readonly<Record<Exclude<ScopeRole, 'manual'>, ScopeSpec>>;
}

export interface ServiceSpec {
  name: string;
  language: Language;
  port: number;
  /** the version most instances run, then an older/newer one a single instance runs */
  versions: readonly string[];
  instanceCount: number;
  /** on Kubernetes (k8s.* attributes) or on a plain VM */
  onKubernetes: boolean;
  executablePath: string;
  commandArgs: readonly string[];
}

export interface Instance {
  service: ServiceSpec;
  profile: RuntimeProfile;
  /** index of the instance in Fleet.instances */
  index: number;
  instanceId: string;
  version: string;
  hostName: string;
  /** '' when not on Kubernetes */
  podName: string;
  podUid: string;
  nodeName: string;
  containerId: string;
  pid: number;
  ip: string;
  arch: 'amd64' | 'arm64';
  zone: string;
}

export interface Fleet {
  instances: readonly Instance[];
  byService: ReadonlyMap<string, readonly Instance[]>;
  /** catalogue product ids (10 upper-case letters/digits) */
  productIds: readonly string[];
}

function scope(name: string, version: string, schemaUrl = ''): ScopeSpec {
  return { name, version, schemaUrl, attributes: [] };
}

const NODE_INSTR = '0.57.2';
const NODE: RuntimeProfile = {
  language: 'nodejs',
  sdkVersion: '1.30.1',
  resourceSchemaUrl: '',
  runtimeName: 'nodejs',
  runtimeVersion: '20.18.1',
  runtimeDescription: 'Node.js',
  extra: [],
  scopes: {
    httpServer: scope('@opentelemetry/instrumentation-http', NODE_INSTR),
    httpClient: scope('@opentelemetry/instrumentation-http', NODE_INSTR),
    framework: scope('@opentelemetry/instrumentation-express', '0.47.1'),
    grpc: scope('@opentelemetry/instrumentation-grpc', NODE_INSTR),
    pg: scope('@opentelemetry/instrumentation-pg', '0.51.1'),
    redis: scope('@opentelemetry/instrumentation-ioredis', '0.47.1'),
    kafka: scope('@opentelemetry/instrumentation-kafkajs', '0.7.1'),
  },
};

const GO_CONTRIB = 'go.opentelemetry.io/contrib/instrumentation';
const GO: RuntimeProfile = {
  language: 'go',
  sdkVersion: '1.34.0',
  resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
  runtimeName: 'go',
  runtimeVersion: 'go1.23.4',
  runtimeDescription: 'go version go1.23.4 linux/amd64',
  extra: [],
  scopes: {
    httpServer: scope(`${GO_CONTRIB}/net/http/otelhttp`, '0.59.0'),
    httpClient: scope(`${GO_CONTRIB}/net/http/otelhttp`, '0.59.0'),
    framework: scope(`${GO_CONTRIB}/net/http/otelhttp`, '0.59.0'),
    grpc: scope(`${GO_CONTRIB}/google.golang.org/grpc/otelgrpc`, '0.46.1'),
    pg: scope('github.com/exaring/otelpgx', '0.8.0'),
    redis: scope('github.com/redis/go-redis/extra/redisotel', '9.7.0'),
    kafka: scope(`${GO_CONTRIB}/github.com/IBM/sarama/otelsarama`, '0.43.0'),
  },
};

const JAVA_AGENT = '2.12.0';
const JAVA: RuntimeProfile = {
  language: 'java',
  sdkVersion: '1.46.0',
  resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
  runtimeName: 'OpenJDK Runtime Environment',
  runtimeVersion: '21.0.5+11-LTS',
  runtimeDescription: 'Eclipse Adoptium OpenJDK 64-Bit Server VM 21.0.5+11-LTS',
  extra: [
    ['telemetry.distro.name', 'opentelemetry-java-instrumentation'],
    ['telemetry.distro.version', JAVA_AGENT],
  ],
  scopes: {
    httpServer: scope('io.opentelemetry.netty-4.1', `${JAVA_AGENT}-alpha`),
    httpClient: scope('io.opentelemetry.java-http-client', `${JAVA_AGENT}-alpha`),
    framework: scope('io.opentelemetry.spring-webmvc-6.0', `${JAVA_AGENT}-alpha`),
    grpc: scope('io.opentelemetry.grpc-1.6', `${JAVA_AGENT}-alpha`),
    pg: scope('io.opentelemetry.jdbc', `${JAVA_AGENT}-alpha`),
    redis: scope('io.opentelemetry.lettuce-5.1', `${JAVA_AGENT}-alpha`),
    kafka: scope('io.opentelemetry.kafka-clients-0.11', `${JAVA_AGENT}-alpha`),
  },
};

const PY_INSTR = '0.50b0';
const PY_SCHEMA = 'https://opentelemetry.io/schemas/1.11.0';
const PYTHON: RuntimeProfile = {
  language: 'python',
  sdkVersion: '1.29.0',
  resourceSchemaUrl: '',
  runtimeName: 'cpython',
  runtimeVersion: '3.12.8',
  runtimeDescription: '3.12.8 (main, Dec  4 2024, 20:38:32) [GCC 12.2.0]',
  extra: [],
  scopes: {
    httpServer: scope('opentelemetry.instrumentation.flask', PY_INSTR, PY_SCHEMA),
    httpClient: scope('opentelemetry.instrumentation.requests', PY_INSTR, PY_SCHEMA),
    framework: scope('opentelemetry.instrumentation.flask', PY_INSTR, PY_SCHEMA),
    grpc: scope('opentelemetry.instrumentation.grpc', PY_INSTR, PY_SCHEMA),
    pg: scope('opentelemetry.instrumentation.psycopg2', PY_INSTR, PY_SCHEMA),
    redis: scope('opentelemetry.instrumentation.redis', PY_INSTR, PY_SCHEMA),
    kafka: scope('opentelemetry.instrumentation.confluent_kafka', PY_INSTR, PY_SCHEMA),
  },
};

export const PROFILES: Readonly<Record<Language, RuntimeProfile>> = { nodejs: NODE, go: GO, java: JAVA, python: PYTHON };

const NODE_ARGS = ['/usr/local/bin/node', '--require', '@opentelemetry/auto-instrumentations-node/register'];

export const SERVICES: readonly ServiceSpec[] = [
  svc('frontend', 'nodejs', 8080, ['2.4.1', '2.5.0'], 4, true, '/usr/local/bin/node', [...NODE_ARGS, '/app/dist/server.js']),
  svc('cart', 'nodejs', 7070, ['1.9.3'], 3, true, '/usr/local/bin/node', [...NODE_ARGS, '/app/cart/index.js']),
  svc('checkout', 'go', 5050, ['3.1.0', '3.0.7'], 3, true, '/usr/src/app/checkout', ['/usr/src/app/checkout']),
  svc('payment', 'nodejs', 50051, ['1.4.2'], 2, false, '/usr/bin/node', ['/usr/bin/node', '--require', './instrumentation.js', 'index.js']),
  svc('currency', 'nodejs', 7001, ['0.8.5', '0.8.6'], 3, true, '/usr/local/bin/node', [...NODE_ARGS, '/app/currency/server.js']),
  svc('shipping', 'go', 50050, ['2.2.0'], 2, true, '/app/shipping', ['/app/shipping', '--port=50050']),
  svc('email', 'python', 6060, ['1.3.0'], 2, true, '/usr/local/bin/python3.12', ['/usr/local/bin/python3.12', '-m', 'gunicorn', '-w', '4', 'email_server:app']),
  svc('recommendation', 'python', 9001, ['1.7.2', '1.8.0'], 3, true, '/usr/local/bin/python3.12', ['/usr/local/bin/python3.12', 'recommendation_server.py']),
  svc('product-catalog', 'go', 3550, ['4.0.2'], 4, true, '/usr/src/app/product-catalog', ['/usr/src/app/product-catalog']),
  svc('ad', 'java', 9555, ['1.11.0'], 2, true, '/opt/java/openjdk/bin/java', ['/opt/java/openjdk/bin/java', '-javaagent:/app/opentelemetry-javaagent.jar', '-Xmx384m', '-jar', '/app/ad.jar']),
  svc('accounting', 'java', 8091, ['0.9.12', '0.9.13'], 2, false, '/usr/lib/jvm/java-21/bin/java', ['/usr/lib/jvm/java-21/bin/java', '-javaagent:/opt/otel/opentelemetry-javaagent.jar', '-jar', '/opt/accounting/accounting.jar']),
];

function svc(
  name: string,
  language: Language,
  port: number,
  versions: string[],
  instanceCount: number,
  onKubernetes: boolean,
  executablePath: string,
  commandArgs: string[],
): ServiceSpec {
  return { name, language, port, versions, instanceCount, onKubernetes, executablePath, commandArgs };
}

const FLEET_SEED = 0x5eed_f1ee;
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const POD_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const PRODUCT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function drawFrom(rng: Rng, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

function buildFleet(): Fleet {
  const rng = new Rng(FLEET_SEED);
  const nodes = Array.from({ length: 6 }, () => `ip-10-0-${rng.int(1, 63)}-${rng.int(2, 254)}.eu-west-1.compute.internal`);
  const instances: Instance[] = [];
  const byService = new Map<string, Instance[]>();
  for (const service of SERVICES) {
    const replicaSetHash = drawFrom(rng, POD_SUFFIX_ALPHABET, 10);
    const list: Instance[] = [];
    for (let i = 0; i < service.instanceCount; i++) {
      // the last instance runs the other version (a canary or a straggler)
      const version = i === service.instanceCount - 1 && service.versions.length > 1 ? service.versions[1]! : service.versions[0]!;
      const ip = `10.${service.onKubernetes ? 42 : 0}.${rng.int(0, 63)}.${rng.int(2, 254)}`;
      const podName = service.onKubernetes ? `${service.name}-${replicaSetHash}-${drawFrom(rng, POD_SUFFIX_ALPHABET, 5)}` : '';
      const instance: Instance = {
        service,
        profile: PROFILES[service.language],
        index: instances.length,
        instanceId: rng.uuid(),
        version,
        hostName: service.onKubernetes ? podName : `ip-${ip.replaceAll('.', '-')}.eu-west-1.compute.internal`,
        podName,
        podUid: service.onKubernetes ? rng.uuid() : '',
        nodeName: service.onKubernetes ? rng.pick(nodes) : '',
        containerId: service.onKubernetes ? rng.hex(64) : '',
        pid: service.onKubernetes ? rng.int(1, 40) : rng.int(900, 65000),
        ip,
        arch: rng.chance(0.25) ? 'arm64' : 'amd64',
        zone: rng.pick(ZONES),
      };
      list.push(instance);
      instances.push(instance);
    }
    byService.set(service.name, list);
  }
  const productIds = Array.from({ length: 24 }, () => drawFrom(rng, PRODUCT_ID_ALPHABET, 10));
  return { instances, byService, productIds };
}

let cached: Fleet | undefined;

/** The fleet, built on first use (it never changes). */
export function fleet(): Fleet {
  cached ??= buildFleet();
  return cached;
}

export function instancesOf(service: string): readonly Instance[] {
  const list = fleet().byService.get(service);
  if (!list) throw new Error(`loadgen: unknown service "${service}"`);
  return list;
}
