// remote_write 2.0 over HTTP against a real marquetry server. Debian's
// Prometheus (2.42) cannot send 2.0, so requests are built by an encoder that
// shares nothing with marquetry's: protobufjs, from a schema written here
// after the spec's `io.prometheus.write.v2` proto (field numbers and types as
// the spec gives them). Covered: symbols in any order and a non-canonical
// table, repeated series, metadata, staleness markers, exemplars (dropped,
// reported), native histograms (a 400 partial write), bad refs, out-of-order
// samples, and the Written headers on every answer.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { snappyCompress } from '../../src/receive/metrics/snappy.js';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';

const SCHEMA = `
syntax = "proto3";
package io.prometheus.write.v2;
message Request {
  reserved 1 to 3;
  repeated string symbols = 4;
  repeated TimeSeries timeseries = 5;
}
message TimeSeries {
  repeated uint32 labels_refs = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 3;
  repeated Exemplar exemplars = 4;
  Metadata metadata = 5;
  int64 created_timestamp = 6;
}
message Exemplar {
  repeated uint32 labels_refs = 1;
  double value = 2;
  int64 timestamp = 3;
}
message Sample {
  double value = 1;
  int64 timestamp = 2;
}
message Metadata {
  enum MetricType {
    METRIC_TYPE_UNSPECIFIED = 0;
    METRIC_TYPE_COUNTER = 1;
    METRIC_TYPE_GAUGE = 2;
    METRIC_TYPE_HISTOGRAM = 3;
    METRIC_TYPE_GAUGEHISTOGRAM = 4;
    METRIC_TYPE_SUMMARY = 5;
    METRIC_TYPE_INFO = 6;
    METRIC_TYPE_STATESET = 7;
  }
  MetricType type = 1;
  uint32 help_ref = 3;
  uint32 unit_ref = 4;
}
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  int32 reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
}
message BucketSpan {
  sint32 offset = 1;
  uint32 length = 2;
}
`;

const Request = protobuf.parse(SCHEMA).root.lookupType('io.prometheus.write.v2.Request');
const V2 = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
const NOW = Math.floor(Date.now() / 1000) * 1000 - 60_000;
function staleNaN(): number {
  return new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
}

/** A request body: symbols interned in the order first used, series given as label objects. */
function request(series: { labels: Record<string, string>; samples?: [number, number | 'stale'][]; metadata?: { type: number; help: string; unit: string }; exemplars?: { labels: Record<string, string>; value: number; timestamp: number }[]; histograms?: object[] }[], leadingSymbols: string[] = ['']): Uint8Array {
  const symbols = [...leadingSymbols];
  const ref = (s: string): number => {
    const at = symbols.indexOf(s);
    return at >= 0 ? at : symbols.push(s) - 1;
  };
  const refs = (labels: Record<string, string>): number[] => Object.keys(labels).sort().flatMap((k) => [ref(k), ref(labels[k]!)]);
  const timeseries = series.map((s) => ({
    labelsRefs: refs(s.labels),
    // The marker is made here, not kept in a JS array: V8 may canonicalise a NaN stored in one.
    samples: (s.samples ?? []).map(([timestamp, value]) => ({ value: value === 'stale' ? staleNaN() : value, timestamp })),
    histograms: s.histograms ?? [],
    exemplars: (s.exemplars ?? []).map((e) => ({ labelsRefs: refs(e.labels), value: e.value, timestamp: e.timestamp })),
    ...(s.metadata ? { metadata: { type: s.metadata.type, helpRef: ref(s.metadata.help), unitRef: ref(s.metadata.unit) } } : {}),
  }));
  return snappyCompress(Request.encode(Request.fromObject({ symbols, timeseries })).finish());
}

interface Answer {
  status: number;
  body: string;
  written: [string | null, string | null, string | null];
}

describe('remote_write 2.0 over HTTP (independent protobufjs encoder)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.dispose();
  });

  async function send(body: Uint8Array, contentType = V2): Promise<Answer> {
    const res = await fetch(`${server.apiUrl}/api/v1/write`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '2.0.0', 'user-agent': 'marquetry-test/1' },
      body: body as Uint8Array<ArrayBuffer>,
    });
    const h = (k: string): string | null => res.headers.get(`x-prometheus-remote-write-${k}-written`);
    return { status: res.status, body: await res.text(), written: [h('samples'), h('histograms'), h('exemplars')] };
  }

  async function values(query: string, atMs: number): Promise<Record<string, string>> {
    const r = await getJson(`${server.apiUrl}/api/v1/query?${new URLSearchParams({ query, time: String(atMs / 1000) })}`);
    assert.equal(r.body.status, 'success', JSON.stringify(r.body));
    return Object.fromEntries((r.body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => [JSON.stringify(s.metric), s.value[1]]));
  }

  it('stores samples and metadata, answers 204 with the Written headers', async () => {
    const labels = { __name__: 'rw2_requests_total', instance: 'a:1', job: 'api' };
    const body = request([
      { labels, samples: [[NOW - 2000, 1], [NOW - 1000, 2]], metadata: { type: 1, help: 'Requests served.', unit: '' } },
      { labels: { __name__: 'rw2_temperature_celsius', room: 'ü-kitchen' }, samples: [[NOW - 1000, 21.5]], metadata: { type: 2, help: '', unit: 'celsius' } },
      { labels, samples: [[NOW, 3]] }, // the same series again in one request: allowed by the spec
    ], ['', 'zzz-unused', 'room']);
    const answer = await send(body);
    assert.deepEqual([answer.status, answer.written], [204, ['4', '0', '0']], answer.body);
    assert.deepEqual(await values('rw2_requests_total', NOW), { [JSON.stringify(labels)]: '3' });
    assert.deepEqual(await values('rw2_temperature_celsius', NOW), { [JSON.stringify({ __name__: 'rw2_temperature_celsius', room: 'ü-kitchen' })]: '21.5' });
    const meta = await getJson(`${server.apiUrl}/api/v1/metadata`);
    assert.deepEqual(meta.body.data.rw2_requests_total, [{ type: 'counter', help: 'Requests served.', unit: '' }]);
    assert.deepEqual(meta.body.data.rw2_temperature_celsius, [{ type: 'gauge', help: '', unit: 'celsius' }]);
  });

  it('keeps a staleness marker: the series is gone right after it', async () => {
    const answer = await send(request([{ labels: { __name__: 'rw2_stale', job: 'x' }, samples: [[NOW - 5000, 7], [NOW - 4000, 'stale']] }]));
    assert.equal(answer.status, 204, answer.body);
    assert.deepEqual(await values('rw2_stale', NOW - 4500), { [JSON.stringify({ __name__: 'rw2_stale', job: 'x' })]: '7' });
    assert.deepEqual(await values('rw2_stale', NOW - 3000), {});
  });

  it('stores the samples of series with exemplars and says no exemplar was written', async () => {
    const answer = await send(request([{ labels: { __name__: 'rw2_exemplified_total' }, samples: [[NOW, 5]], exemplars: [{ labels: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, value: 0.25, timestamp: NOW }] }]));
    assert.deepEqual([answer.status, answer.written], [204, ['1', '0', '0']]);
    assert.deepEqual(await values('rw2_exemplified_total', NOW), { [JSON.stringify({ __name__: 'rw2_exemplified_total' })]: '5' });
  });

  it('answers a request with native histograms 400 as a partial write, its float samples stored', async () => {
    const histogram = { countInt: 3, sum: 1.5, schema: 0, zeroThreshold: 1e-128, zeroCountInt: 0, positiveSpans: [{ offset: 0, length: 2 }], positiveDeltas: [1, 1], timestamp: NOW };
    const answer = await send(request([
      { labels: { __name__: 'rw2_latency_seconds' }, histograms: [histogram] },
      { labels: { __name__: 'rw2_alongside' }, samples: [[NOW, 9]] },
    ]));
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.written, ['1', '0', '0']);
    assert.match(answer.body, /partial write: 1 samples written; 1 native histogram sample rejected: native histograms are not stored yet/);
    assert.deepEqual(await values('rw2_alongside', NOW), { [JSON.stringify({ __name__: 'rw2_alongside' })]: '9' });
  });

  it('refuses a label ref outside the symbols and out-of-order samples with 400, nothing written', async () => {
    const badRef = snappyCompress(Request.encode(Request.fromObject({ symbols: ['', '__name__', 'x'], timeseries: [{ labelsRefs: [1, 7], samples: [{ value: 1, timestamp: NOW }] }] })).finish());
    const refused = await send(badRef);
    assert.deepEqual([refused.status, refused.written], [400, ['0', '0', '0']]);
    assert.match(refused.body, /symbol ref 7 out of range \(3 symbols\)/);
    await send(request([{ labels: { __name__: 'rw2_ordered' }, samples: [[NOW, 1]] }]));
    const older = await send(request([{ labels: { __name__: 'rw2_ordered' }, samples: [[NOW - 60_000, 1]] }]));
    assert.deepEqual([older.status, older.written], [400, ['0', '0', '0']]);
    assert.match(older.body, /out of order sample/);
  });

  it('takes the content type with optional whitespace, refuses other protos and encodings with 415', async () => {
    const body = request([{ labels: { __name__: 'rw2_spaced' }, samples: [[NOW, 1]] }]);
    assert.equal((await send(body, 'application/x-protobuf; proto=io.prometheus.write.v2.Request')).status, 204);
    assert.equal((await send(body, 'application/x-protobuf;proto=io.prometheus.write.v3.Request')).status, 415);
    const gzip = await fetch(`${server.apiUrl}/api/v1/write`, { method: 'POST', headers: { 'content-type': V2, 'content-encoding': 'gzip' }, body: body as Uint8Array<ArrayBuffer> });
    assert.equal(gzip.status, 415);
  });

  it('reads a 1.0 body sent as 2.0 as an empty request: 204 with nothing written, so a 2.0 sender can tell', async () => {
    const { encodeWriteRequestV1 } = await import('../../src/receive/metrics/remote-write-encode.js');
    const answer = await send(snappyCompress(encodeWriteRequestV1([{ labels: [['__name__', 'rw2_v1_body']], samples: [{ value: 1, timestampMs: NOW }] }])));
    assert.deepEqual([answer.status, answer.written], [204, ['0', '0', '0']]);
    assert.deepEqual(await values('rw2_v1_body', NOW), {});
  });
});
