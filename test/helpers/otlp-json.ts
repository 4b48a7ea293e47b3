// Hand-built OTLP/JSON requests for end-to-end tests: seeded ids, attribute
// values of every AnyValue kind, and a poster for POST /v1/traces.

import { Rng } from '../../src/loadgen/rng.js';

export type AnyValueJson = Record<string, unknown>;
export interface KeyValueJson {
  key: string;
  value: AnyValueJson;
}

export const str = (v: string): AnyValueJson => ({ stringValue: v });
export const int = (v: number | bigint): AnyValueJson => ({ intValue: String(v) });
export const dbl = (v: number): AnyValueJson => ({ doubleValue: v });
export const bool = (v: boolean): AnyValueJson => ({ boolValue: v });
export const bytes = (v: Uint8Array): AnyValueJson => ({ bytesValue: Buffer.from(v).toString('base64') });
export const arr = (...values: AnyValueJson[]): AnyValueJson => ({ arrayValue: { values } });
export const kvlist = (...values: KeyValueJson[]): AnyValueJson => ({ kvlistValue: { values } });
export const kv = (key: string, value: AnyValueJson): KeyValueJson => ({ key, value });

/** Plain values → KeyValue list: integers become intValue, other numbers doubleValue. */
export function attrs(o: Record<string, string | number | boolean>): KeyValueJson[] {
  return Object.entries(o).map(([key, v]) => {
    if (typeof v === 'string') return kv(key, str(v));
    if (typeof v === 'boolean') return kv(key, bool(v));
    return kv(key, Number.isInteger(v) ? int(v) : dbl(v));
  });
}

/** Deterministic, distinct, never all-zero trace and span ids (hex). */
export class HexIds {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  private hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes / 4; i++) s += this.rng.nextU32().toString(16).padStart(8, '0');
    return s.replace(/^0/, '1'); // never all zero
  }
  traceId(): string {
    return this.hex(16);
  }
  spanId(): string {
    return this.hex(8);
  }
}

export interface JsonSpanInput {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP numeric kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind?: number;
  startNs: bigint;
  durationNs: bigint;
  attributes?: KeyValueJson[];
  /** 0 unset, 1 ok, 2 error */
  status?: { code: number; message?: string };
  /** any further Span fields, passed through as given */
  extra?: Record<string, unknown>;
}

export function jsonSpan(s: JsonSpanInput): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind ?? 1,
    startTimeUnixNano: String(s.startNs),
    endTimeUnixNano: String(s.startNs + s.durationNs),
    attributes: s.attributes ?? [],
    status: s.status ?? { code: 0 },
    ...s.extra,
  };
}

export interface JsonResourceInput {
  attributes: KeyValueJson[];
  scopeSpans: { scope?: Record<string, unknown>; spans: Record<string, unknown>[]; schemaUrl?: string }[];
  schemaUrl?: string;
  droppedAttributesCount?: number;
}

export function jsonRequest(resources: JsonResourceInput[]): Record<string, unknown> {
  return {
    resourceSpans: resources.map((r) => ({
      resource: { attributes: r.attributes, ...(r.droppedAttributesCount ? { droppedAttributesCount: r.droppedAttributesCount } : {}) },
      scopeSpans: r.scopeSpans.map((ss) => ({ scope: ss.scope ?? { name: 'e2e-test' }, spans: ss.spans, ...(ss.schemaUrl ? { schemaUrl: ss.schemaUrl } : {}) })),
      ...(r.schemaUrl ? { schemaUrl: r.schemaUrl } : {}),
    })),
  };
}

/** One resource with service.name, one scope, these spans. */
export function serviceRequest(service: string, spans: Record<string, unknown>[], resourceAttributes: KeyValueJson[] = []): Record<string, unknown> {
  return jsonRequest([{ attributes: [kv('service.name', str(service)), ...resourceAttributes], scopeSpans: [{ spans }] }]);
}

/** POSTs an OTLP/JSON body; resolves with status and parsed JSON response. */
export async function postOtlpJson(otlpUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${otlpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : JSON.parse(text) };
}

/** POSTs OTLP protobuf bytes; resolves with status, headers and raw response bytes. */
export async function postOtlpProto(otlpUrl: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  const res = await fetch(`${otlpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', ...headers },
    body: Buffer.from(body),
  });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}
