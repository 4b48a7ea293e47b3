// Resources and instrumentation scopes as the SDKs of the fleet report them,
// interned per SpanBatchBuilder: each instance's resource and each scope of an
// instance is added once, when its first span lands in that builder.

import type { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { ValueType } from '../model/span-batch.js';
import { fleet, type Instance, type ScopeRole, type ScopeSpec } from './topology.js';

const SCOPE_ROLES: readonly ScopeRole[] = ['httpServer', 'httpClient', 'framework', 'grpc', 'pg', 'redis', 'kafka', 'manual'];
const ROLE_INDEX = new Map(SCOPE_ROLES.map((r, i) => [r, i]));

/** The team owning each service; manual tracers carry it as a scope attribute. */
const TEAMS: Readonly<Record<string, string>> = {
  frontend: 'web',
  cart: 'basket',
  checkout: 'orders',
  payment: 'payments',
  currency: 'payments',
  shipping: 'fulfilment',
  email: 'fulfilment',
  recommendation: 'discovery',
  'product-catalog': 'discovery',
  ad: 'discovery',
  accounting: 'finance',
};

export class BatchRegistry {
  private readonly resourceOfInstance: Int32Array;
  private readonly scopeOfInstanceRole: Int32Array;

  constructor(private readonly builder: SpanBatchBuilder) {
    const n = fleet().instances.length;
    this.resourceOfInstance = new Int32Array(n).fill(-1);
    this.scopeOfInstanceRole = new Int32Array(n * SCOPE_ROLES.length).fill(-1);
  }

  resource(instance: Instance): number {
    let r = this.resourceOfInstance[instance.index]!;
    if (r < 0) {
      r = addResource(this.builder, instance);
      this.resourceOfInstance[instance.index] = r;
    }
    return r;
  }

  scope(instance: Instance, role: ScopeRole): number {
    const slot = instance.index * SCOPE_ROLES.length + ROLE_INDEX.get(role)!;
    let s = this.scopeOfInstanceRole[slot]!;
    if (s < 0) {
      const spec = role === 'manual' ? manualScope(instance) : instance.profile.scopes[role];
      s = this.builder.addScope(spec.name, spec.version, spec.schemaUrl, 0);
      for (const [key, value] of spec.attributes) this.builder.scopeAttributes.addString(s, key, value);
      this.scopeOfInstanceRole[slot] = s;
    }
    return s;
  }
}

/** The tracer application code creates by hand (tracer name = service name). */
function manualScope(instance: Instance): ScopeSpec {
  return {
    name: instance.service.name,
    version: instance.version,
    schemaUrl: '',
    attributes: [
      ['app.owner.team', TEAMS[instance.service.name] ?? 'platform'],
      ['app.tracer.kind', 'manual'],
    ],
  };
}

/** OTLP JSON of an array of strings, as AttributeColumns stores array values. */
export function stringArrayJson(values: readonly string[]): string {
  let s = '{"arrayValue":{"values":[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ',';
    s += `{"stringValue":${JSON.stringify(values[i])}}`;
  }
  return s + ']}}';
}

function addResource(builder: SpanBatchBuilder, instance: Instance): number {
  const { service, profile } = instance;
  const r = builder.addResource(profile.resourceSchemaUrl, 0);
  const a = builder.resourceAttributes;
  a.addString(r, 'service.name', service.name);
  a.addString(r, 'service.namespace', 'oteldemo');
  a.addString(r, 'service.version', instance.version);
  a.addString(r, 'service.instance.id', instance.instanceId);
  a.addString(r, 'deployment.environment.name', 'production');
  a.addString(r, 'telemetry.sdk.name', 'opentelemetry');
  a.addString(r, 'telemetry.sdk.language', profile.language);
  a.addString(r, 'telemetry.sdk.version', profile.sdkVersion);
  for (const [key, value] of profile.extra) a.addString(r, key, value);
  a.addInt(r, 'process.pid', BigInt(instance.pid));
  a.addString(r, 'process.executable.name', service.executablePath.slice(service.executablePath.lastIndexOf('/') + 1));
  a.addString(r, 'process.executable.path', service.executablePath);
  a.addComplex(r, 'process.command_args', ValueType.Array, stringArrayJson(service.commandArgs));
  a.addString(r, 'process.owner', profile.language === 'nodejs' ? 'node' : 'app');
  a.addString(r, 'process.runtime.name', profile.runtimeName);
  a.addString(r, 'process.runtime.version', profile.runtimeVersion);
  a.addString(r, 'process.runtime.description', profile.runtimeDescription);
  a.addString(r, 'host.name', instance.hostName);
  a.addString(r, 'host.arch', instance.arch);
  a.addString(r, 'os.type', 'linux');
  a.addString(r, 'os.version', instance.arch === 'arm64' ? '6.1.119-129.201.amzn2023.aarch64' : '6.1.119-129.201.amzn2023.x86_64');
  a.addString(r, 'cloud.provider', 'aws');
  a.addString(r, 'cloud.platform', service.onKubernetes ? 'aws_eks' : 'aws_ec2');
  a.addString(r, 'cloud.region', 'eu-west-1');
  a.addString(r, 'cloud.availability_zone', instance.zone);
  if (service.onKubernetes) {
    a.addString(r, 'container.id', instance.containerId);
    a.addString(r, 'k8s.cluster.name', 'prod-eu-west-1');
    a.addString(r, 'k8s.namespace.name', 'oteldemo');
    a.addString(r, 'k8s.deployment.name', service.name);
    a.addString(r, 'k8s.pod.name', instance.podName);
    a.addString(r, 'k8s.pod.uid', instance.podUid);
    a.addString(r, 'k8s.node.name', instance.nodeName);
  } else {
    a.addString(r, 'host.id', `i-0${instance.instanceId.replaceAll('-', '').slice(0, 16)}`);
    a.addString(r, 'host.type', 'm6i.large');
  }
  builder.setResourceServiceName(r, service.name);
  return r;
}
