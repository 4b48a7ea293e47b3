import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../model/errors.js';
import { STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../../model/sample-batch.js';
import { ProtoWriter } from '../protobuf-writer.js';
import { batchProblems, listSeries, readFixture, seededUint32 } from './metrics-test-helpers.js';
import { decodeRemoteWriteBody, remoteWriteVersionOf } from './remote-write-body.js';
import { decodeRemoteWriteV1 } from './remote-write-decode.js';
import { doubleFromBits, encodeWriteRequestV1, type RemoteWriteSeries } from './remote-write-encode.js';
import { snappyCompress } from './snappy.js';

const LIMIT = 64 << 20;

// Bodies a real Prometheus 2.42 sent (remote_write to a sink on 127.0.0.1):
// scraping node-exporter, itself, and a demo target that served an exemplar,
// a non-ASCII label value, then dropped one series (so a staleness marker).
function prometheusBody(name: string): Uint8Array {
  return readFixture(`prometheus-2.42-${name}.snappy`);
}

function valueBits(batch: { sampleValue: Float64Array }, i: number): [number, number] {
  const halves = new Uint32Array(batch.sampleValue.buffer, batch.sampleValue.byteOffset, batch.sampleValue.length * 2);
  return [halves[2 * i]!, halves[2 * i + 1]!];
}

const STALE = doubleFromBits(STALE_NAN_BITS_LO, STALE_NAN_BITS_HI);

describe('decodeRemoteWriteV1 on bodies from a real Prometheus', () => {
  it('reads node-exporter series with sorted labels and their samples', () => {
    const d = decodeRemoteWriteBody(prometheusBody('node-exporter'), '1.0', LIMIT);
    assert.deepEqual(batchProblems(d.batch), []);
    assert.equal(d.batch.seriesCount, 500);
    assert.equal(d.samplesWritten, 500);
    assert.deepEqual(d.warnings, []);
    const series = listSeries(d.batch);
    const idle = series.get('{__name__="node_cpu_seconds_total", cpu="0", instance="127.0.0.1:9111", job="node", mode="idle"}');
    assert.equal(idle?.length, 1);
    assert.ok(idle![0]![1] > 0 && Number.isInteger(idle![0]![0]));
  });

  it('reads metadata sent apart from samples', () => {
    const d = decodeRemoteWriteBody(prometheusBody('demo-metadata'), '1.0', LIMIT);
    assert.equal(d.batch.seriesCount, 0);
    assert.deepEqual(d.batch.metadata, [
      { metric: 'demo_requests', type: 'counter', help: 'Requests served.', unit: '' },
      { metric: 'demo_temperature_celsius', type: 'gauge', help: 'Temperature.', unit: 'celsius' },
    ]);
    const all = decodeRemoteWriteBody(prometheusBody('metadata'), '1.0', LIMIT).batch.metadata;
    assert.equal(all.length, 438);
    assert.deepEqual(
      all.find((m) => m.metric === 'node_cpu_seconds_total'),
      { metric: 'node_cpu_seconds_total', type: 'counter', help: 'Seconds the CPUs spent in each mode.', unit: '' },
    );
  });

  it('counts the exemplar as rejected and keeps the samples, non-ASCII label value included', () => {
    const d = decodeRemoteWriteBody(prometheusBody('demo-exemplar'), '1.0', LIMIT);
    assert.equal(d.exemplarsRejected, 1);
    assert.equal(d.exemplarsWritten, 0);
    assert.deepEqual(d.warnings, ['1 exemplar rejected: exemplars are not stored yet']);
    const series = listSeries(d.batch);
    assert.deepEqual(series.get('{__name__="demo_requests_total", code="500", instance="127.0.0.1:9293", job="demo", path="/ü"}'), [[1795246376953, 1]]);
    assert.deepEqual(series.get('{__name__="demo_temperature_celsius", instance="127.0.0.1:9293", job="demo", room="gone"}'), [[1795246376953, -1.25e-7]]);
    assert.deepEqual(series.get('{__name__="up", instance="127.0.0.1:9293", job="demo"}'), [[1795246376953, 1]]);
  });

  it('keeps the staleness marker Prometheus wrote for the vanished series bit for bit', () => {
    const d = decodeRemoteWriteBody(prometheusBody('demo-stale'), '1.0', LIMIT);
    const b = d.batch;
    let stale = 0;
    for (let i = 0; i < b.sampleCount; i++) {
      if (!Number.isNaN(b.sampleValue[i])) continue;
      stale++;
      assert.deepEqual(valueBits(b, i), [STALE_NAN_BITS_LO, STALE_NAN_BITS_HI]);
      const s = b.sampleSeries[i]!;
      assert.equal(b.labelValues.slice(b.labelOffsets[s], b.labelOffsets[s + 1]).join(','), 'demo_temperature_celsius,127.0.0.1:9293,demo,gone');
    }
    assert.equal(stale, 1);
  });
});

describe('decodeRemoteWriteV1 on bodies from our encoder', () => {
  it('round-trips series, samples and metadata, values bit-exact', () => {
    const next = seededUint32(3);
    const series: RemoteWriteSeries[] = [];
    for (let s = 0; s < 200; s++) {
      const samples = [];
      for (let k = 0; k < 1 + (s % 4); k++) {
        const v = [0, -0, Infinity, -Infinity, STALE, NaN, 5e-324, 1.7976931348623157e308, (next() - 2 ** 31) / 7][(s + k) % 9]!;
        samples.push({ value: v, timestampMs: 1_700_000_000_000 + s * 1000 + k * 15_000 });
      }
      series.push({ labels: [['__name__', `m_${s % 7}`], ['instance', `h${s}`], ['job', 'j']], samples });
    }
    const body = encodeWriteRequestV1(series, [{ metric: 'm_1', type: 'gauge', help: 'Help.', unit: 'seconds' }]);
    const d = decodeRemoteWriteV1(body);
    assert.deepEqual(batchProblems(d.batch), []);
    assert.equal(d.batch.seriesCount, 200);
    assert.deepEqual(d.batch.metadata, [{ metric: 'm_1', type: 'gauge', help: 'Help.', unit: 'seconds' }]);
    let i = 0;
    const expectedBits = new Uint32Array(new Float64Array(1).buffer);
    const f = new Float64Array(expectedBits.buffer);
    for (let s = 0; s < series.length; s++) {
      for (const sample of series[s]!.samples) {
        assert.equal(d.batch.sampleSeries[i], s);
        assert.equal(d.batch.sampleTimeMs[i], sample.timestampMs);
        f[0] = sample.value;
        assert.deepEqual(valueBits(d.batch, i), [expectedBits[0], expectedBits[1]], `sample ${i}`);
        i++;
      }
    }
    assert.equal(d.samplesWritten, i);
    assert.equal(d.batch.sampleCount, i);
  });

  it('reads timestamps before 1970 and at the edge of exact doubles', () => {
    const times = [-1, -1_000_000_000_000, 0, 2 ** 53 - 1, -(2 ** 53) + 1];
    const d = decodeRemoteWriteV1(encodeWriteRequestV1([{ labels: [['__name__', 'x']], samples: times.map((t) => ({ value: 1, timestampMs: t })) }]));
    assert.deepEqual([...d.batch.sampleTimeMs], times);
  });

  it('sorts labels by name, drops empty values and keeps a series without __name__', () => {
    const d = decodeRemoteWriteV1(
      encodeWriteRequestV1([
        { labels: [['zone', 'b'], ['__name__', 'up'], ['empty', ''], ['ärger', 'ja'], ['a', '1']], samples: [{ value: 1, timestampMs: 5 }] },
        { labels: [['job', 'x'], ['instance', 'y']], samples: [{ value: 2, timestampMs: 6 }] },
        { labels: [['__name__', ''], ['job', 'only']], samples: [{ value: 3, timestampMs: 7 }] },
      ]),
    );
    assert.deepEqual(batchProblems(d.batch), []);
    assert.deepEqual(
      [...listSeries(d.batch).keys()],
      ['{__name__="up", a="1", zone="b", ärger="ja"}', '{instance="y", job="x"}', '{job="only"}'],
    );
  });

  it('leaves out a series with no samples and counts what it carried', () => {
    const d = decodeRemoteWriteV1(
      encodeWriteRequestV1([
        { labels: [['__name__', 'h']], samples: [], histograms: [{ count: 3, sum: 1.5, schema: 0, timestampMs: 9 }, { count: 4, sum: 2, schema: -1, timestampMs: 10 }] },
        { labels: [['__name__', 'e']], samples: [{ value: 1, timestampMs: 1 }], exemplars: [{ labels: [['trace_id', 'abc']], value: 1, timestampMs: 1 }] },
      ]),
    );
    assert.equal(d.batch.seriesCount, 1);
    assert.equal(d.batch.labelValues[0], 'e');
    assert.equal(d.histogramsRejected, 2);
    assert.equal(d.exemplarsRejected, 1);
    assert.deepEqual(d.warnings, [
      '2 native histogram samples rejected: native histograms are not stored yet',
      '1 exemplar rejected: exemplars are not stored yet',
    ]);
  });

  it('reads samples written before the labels and skips unknown fields of every wire type', () => {
    const w = new ProtoWriter();
    w.tag(10); // timeseries
    const ts = w.begin(1);
    w.tag(18); // sample first
    const s = w.begin(1);
    w.tag(16);
    w.int64Number(42);
    w.tag(9);
    w.double(7.5);
    w.tag(29); // unknown field 3, fixed32
    w.fixed32(1);
    w.finish(s, 1);
    w.tag(10);
    const l = w.begin(1);
    w.tag(18);
    w.string('v');
    w.tag(10);
    w.string('n');
    w.finish(l, 1);
    w.tag(98); // unknown field 12, length-delimited
    w.string('ignored');
    w.finish(ts, 1);
    w.tag(16); // field 2 (reserved) as a varint
    w.uint32(5);
    const d = decodeRemoteWriteV1(w.toBytes());
    assert.deepEqual([...listSeries(d.batch)], [['{n="v"}', [[42, 7.5]]]]);
  });
});

describe('decodeRemoteWriteV1 refusing a request', () => {
  function refuses(series: RemoteWriteSeries[], message: RegExp): void {
    assert.throws(() => decodeRemoteWriteV1(encodeWriteRequestV1(series)), (e: unknown) => e instanceof DecodeError && message.test(e.message));
  }

  it('refuses duplicate label names, naming the name and the series offset', () => {
    refuses([{ labels: [['job', 'a'], ['job', 'b']], samples: [{ value: 1, timestampMs: 1 }] }], /^remote-write: duplicate label name "job" in series at offset 2$/);
    // a duplicate with an empty value is still a duplicate
    refuses([{ labels: [['a', '1'], ['job', ''], ['job', 'b']], samples: [{ value: 1, timestampMs: 1 }] }], /duplicate label name "job"/);
  });

  it('refuses an empty label name and a series with no labels left', () => {
    refuses([{ labels: [['', 'x']], samples: [{ value: 1, timestampMs: 1 }] }], /^remote-write: empty label name in series at offset \d+$/);
    refuses([{ labels: [['job', '']], samples: [{ value: 1, timestampMs: 1 }] }], /^remote-write: series without labels at offset \d+$/);
    refuses([{ labels: [], samples: [{ value: 1, timestampMs: 1 }] }], /series without labels/);
  });

  it('refuses invalid UTF-8 in a label name or value, naming its offset', () => {
    for (const [bad, which] of [
      [Uint8Array.from([0x66, 0xff]), 'name'],
      [Uint8Array.from([0xc3, 0x28]), 'value'],
      [Uint8Array.from([0xed, 0xa0, 0x80]), 'value'], // an encoded surrogate
    ] as const) {
      const w = new ProtoWriter();
      w.tag(10);
      const ts = w.begin(1);
      w.tag(10);
      const l = w.begin(1);
      w.tag(10);
      if (which === 'name') w.bytes(bad);
      else w.string('job');
      w.tag(18);
      if (which === 'value') w.bytes(bad);
      else w.string('x');
      w.finish(l, 1);
      w.finish(ts, 1);
      assert.throws(() => decodeRemoteWriteV1(w.toBytes()), { code: 'decode', message: new RegExp(`^remote-write: invalid UTF-8 in label ${which} at offset \\d+$`) });
    }
    // a real U+FFFD is valid
    const ok = decodeRemoteWriteV1(encodeWriteRequestV1([{ labels: [['job', '\uFFFD']], samples: [{ value: 1, timestampMs: 1 }] }]));
    assert.equal(ok.batch.labelValues[0], '\uFFFD');
  });

  it('refuses a known field with the wrong wire type', () => {
    const w = new ProtoWriter();
    w.tag(8); // field 1 (timeseries) as a varint
    w.uint32(1);
    assert.throws(() => decodeRemoteWriteV1(w.toBytes()), { code: 'decode', message: 'remote-write: field 1 of WriteRequest has wire type 0, expected 2, at offset 0' });
  });

  it('reads a truncated request as a shorter one or throws DecodeError, never anything else', () => {
    const body = encodeWriteRequestV1(
      [
        { labels: [['__name__', 'a'], ['job', 'j']], samples: [{ value: 1.5, timestampMs: 1000 }, { value: 2, timestampMs: -5 }], exemplars: [{ labels: [], value: 1, timestampMs: 1 }] },
        { labels: [['__name__', 'b']], samples: [{ value: 3, timestampMs: 2000 }] },
      ],
      [{ metric: 'a', type: 'counter', help: 'h', unit: '' }],
    );
    for (let cut = 1; cut < body.length; cut++) {
      try {
        decodeRemoteWriteV1(body.subarray(0, cut));
      } catch (e) {
        assert.ok(e instanceof DecodeError, `cut at ${cut}: ${String(e)}`);
      }
    }
  });

  it('throws only DecodeError on random bytes', () => {
    const next = seededUint32(11);
    for (let round = 0; round < 2000; round++) {
      const input = new Uint8Array(next() % 48);
      for (let i = 0; i < input.length; i++) input[i] = next() & 0xff;
      try {
        assert.deepEqual(batchProblems(decodeRemoteWriteV1(input).batch), []);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `round ${round}: ${String(e)}`);
      }
    }
  });
});

describe('remote_write bodies over HTTP', () => {
  it('chooses the protocol version from Content-Type', () => {
    assert.equal(remoteWriteVersionOf('application/x-protobuf'), '1.0');
    assert.equal(remoteWriteVersionOf('application/x-protobuf;proto=prometheus.WriteRequest'), '1.0');
    assert.equal(remoteWriteVersionOf('application/x-protobuf;proto=io.prometheus.write.v2.Request'), '2.0');
    assert.equal(remoteWriteVersionOf('Application/X-Protobuf; charset=utf-8; proto="io.prometheus.write.v2.Request"'), '2.0');
    for (const bad of [undefined, '', 'application/json', 'application/x-protobuf;proto=io.prometheus.write.v3.Request']) {
      assert.throws(() => remoteWriteVersionOf(bad), { code: 'unsupported_media_type' });
    }
  });

  it('decompresses then decodes, refusing more than the limit uncompressed', () => {
    const raw = encodeWriteRequestV1([{ labels: [['__name__', 'x']], samples: [{ value: 1, timestampMs: 1 }] }]);
    const body = snappyCompress(raw);
    assert.equal(decodeRemoteWriteBody(body, '1.0', raw.length).samplesWritten, 1);
    assert.throws(() => decodeRemoteWriteBody(body, '1.0', raw.length - 1), { code: 'too_large' });
    // a 1.0 body read as 2.0 is an empty request (2.0 reserves fields 1 to 3)
    assert.equal(decodeRemoteWriteBody(body, '2.0', LIMIT).batch.seriesCount, 0);
  });
});
