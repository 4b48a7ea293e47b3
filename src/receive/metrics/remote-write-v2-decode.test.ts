import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../model/errors.js';
import { ProtoWriter } from '../protobuf-writer.js';
import { batchProblems, listSeries, seededUint32 } from './metrics-test-helpers.js';
import { decodeRemoteWriteV1 } from './remote-write-decode.js';
import { encodeWriteRequestV1, encodeWriteRequestV2, type RemoteWriteSeries } from './remote-write-encode.js';
import { decodeRemoteWriteV2 } from './remote-write-v2-decode.js';

/** A 2.0 Request written field by field: symbols, then series given as label refs and samples. */
function rawRequest(symbols: string[], series: { refs: number[]; packed?: boolean; samples?: [number, number][]; metadata?: [number, number, number] }[], symbolsLast = false): Uint8Array {
  const w = new ProtoWriter();
  const writeSymbols = (): void => {
    for (const s of symbols) {
      w.tag(34);
      w.string(s);
    }
  };
  if (!symbolsLast) writeSymbols();
  for (const ts of series) {
    w.tag(42);
    const body = w.begin(1);
    if (ts.packed === false) {
      for (const ref of ts.refs) {
        w.tag(8);
        w.uint32(ref);
      }
    } else {
      w.tag(10);
      const refs = w.begin(1);
      for (const ref of ts.refs) w.uint32(ref);
      w.finish(refs, 1);
    }
    for (const [value, time] of ts.samples ?? [[1, 1]]) {
      w.tag(18);
      const s = w.begin(1);
      w.tag(9);
      w.double(value);
      w.tag(16);
      w.int64Number(time);
      w.finish(s, 1);
    }
    if (ts.metadata) {
      w.tag(42);
      const m = w.begin(1);
      w.tag(8);
      w.uint32(ts.metadata[0]);
      w.tag(24);
      w.uint32(ts.metadata[1]);
      w.tag(32);
      w.uint32(ts.metadata[2]);
      w.finish(m, 1);
    }
    w.finish(body, 1);
  }
  if (symbolsLast) writeSymbols();
  return w.toBytes();
}

describe('decodeRemoteWriteV2', () => {
  it('decodes what the 1.0 decoder decodes for the same series, through the symbol table', () => {
    const next = seededUint32(5);
    const series: RemoteWriteSeries[] = [];
    for (let s = 0; s < 300; s++) {
      series.push({
        labels: [['__name__', `metric_${s % 13}`], ['instance', `10.0.0.${s % 40}:9100`], ['job', 'node'], ['mode', ['idle', 'user', 'system'][s % 3]!]],
        samples: [{ value: (next() - 2 ** 31) / 1000, timestampMs: 1_700_000_000_000 + (next() % 100_000) }],
      });
    }
    const v2 = decodeRemoteWriteV2(encodeWriteRequestV2(series));
    const v1 = decodeRemoteWriteV1(encodeWriteRequestV1(series));
    assert.deepEqual(batchProblems(v2.batch), []);
    assert.deepEqual(v2.batch, v1.batch);
    assert.equal(v2.samplesWritten, 300);
  });

  it('takes metadata from each series, under its __name__', () => {
    const d = decodeRemoteWriteV2(
      encodeWriteRequestV2([
        { labels: [['__name__', 'http_requests_total'], ['job', 'api']], samples: [{ value: 5, timestampMs: 10 }], metadata: { type: 'counter', help: 'Requests.', unit: '' } },
        { labels: [['__name__', 'temp_celsius']], samples: [{ value: 21.5, timestampMs: 10 }], metadata: { type: 'gauge', help: '', unit: 'celsius' } },
        { labels: [['__name__', 'plain']], samples: [{ value: 1, timestampMs: 10 }], metadata: { type: 'unknown', help: '', unit: '' } },
        { labels: [['job', 'nameless']], samples: [{ value: 1, timestampMs: 10 }], metadata: { type: 'gauge', help: 'x', unit: '' } },
      ]),
    );
    assert.deepEqual(d.batch.metadata, [
      { metric: 'http_requests_total', type: 'counter', help: 'Requests.', unit: '' },
      { metric: 'temp_celsius', type: 'gauge', help: '', unit: 'celsius' },
    ]);
  });

  it('counts native histograms and exemplars as rejected and reads past created_timestamp', () => {
    const d = decodeRemoteWriteV2(
      encodeWriteRequestV2([
        {
          labels: [['__name__', 'latency']],
          samples: [],
          histograms: [{ count: 10, sum: 3.5, schema: 3, timestampMs: 100 }],
          createdTimestampMs: 50,
        },
        {
          labels: [['__name__', 'requests_total']],
          samples: [{ value: 7, timestampMs: 100 }],
          exemplars: [{ labels: [['trace_id', '4bf92f3577b34da6a3ce929d0e0e4736']], value: 1, timestampMs: 99 }],
          createdTimestampMs: 50,
        },
      ]),
    );
    assert.deepEqual([...listSeries(d.batch)], [['{__name__="requests_total"}', [[100, 7]]]]);
    assert.equal(d.samplesWritten, 1);
    assert.equal(d.histogramsRejected, 1);
    assert.equal(d.exemplarsRejected, 1);
    assert.equal(d.histogramsWritten + d.exemplarsWritten, 0);
    assert.equal(d.warnings.length, 2);
  });

  it('reads symbols written after the series and label refs written unpacked', () => {
    const symbols = ['', '__name__', 'up', 'job', 'node'];
    const series = [{ refs: [1, 2, 3, 4], packed: false, samples: [[1, 1000]] as [number, number][] }];
    const d = decodeRemoteWriteV2(rawRequest(symbols, series, true));
    assert.deepEqual([...listSeries(d.batch)], [['{__name__="up", job="node"}', [[1000, 1]]]]);
  });

  it('sorts referenced labels and drops empty values, as for 1.0', () => {
    const symbols = ['', 'zone', 'a', '__name__', 'm', 'empty'];
    const d = decodeRemoteWriteV2(rawRequest(symbols, [{ refs: [1, 2, 3, 4, 5, 0] }]));
    assert.deepEqual([...listSeries(d.batch).keys()], ['{__name__="m", zone="a"}']);
  });

  it('refuses refs out of range, an odd number of refs and duplicate names, naming the series offset', () => {
    const symbols = ['', '__name__', 'x', 'job'];
    assert.throws(() => decodeRemoteWriteV2(rawRequest(symbols, [{ refs: [1, 9] }])), { code: 'decode', message: /^remote-write-v2: symbol ref 9 out of range \(4 symbols\) at offset \d+$/ });
    assert.throws(() => decodeRemoteWriteV2(rawRequest(symbols, [{ refs: [1, 2, 3] }])), { code: 'decode', message: /^remote-write-v2: odd number of label refs \(3\) in series at offset \d+$/ });
    assert.throws(() => decodeRemoteWriteV2(rawRequest(symbols, [{ refs: [1, 2, 1, 2] }])), { code: 'decode', message: /duplicate label name "__name__"/ });
    assert.throws(() => decodeRemoteWriteV2(rawRequest(symbols, [{ refs: [1, 2], metadata: [1, 0, 17] }])), { code: 'decode', message: /symbol ref 17 out of range/ });
  });

  it('refuses a referenced symbol that is not UTF-8, and ignores one never referenced', () => {
    const w = new ProtoWriter();
    for (const s of ['', '__name__', 'ok']) {
      w.tag(34);
      w.string(s);
    }
    w.tag(34);
    w.bytes(Uint8Array.from([0xff, 0xfe]));
    const symbolsOnly = w.toBytes();
    const series = (refs: number[]): Uint8Array => {
      const body = rawRequest([], [{ refs }]);
      return Buffer.concat([symbolsOnly, body]);
    };
    assert.equal(decodeRemoteWriteV2(series([1, 2])).batch.seriesCount, 1);
    assert.throws(() => decodeRemoteWriteV2(series([1, 3])), { code: 'decode', message: /^remote-write-v2: invalid UTF-8 in label value at offset \d+$/ });
  });

  it('reads a truncated request as a shorter one or throws DecodeError, never anything else', () => {
    const body = encodeWriteRequestV2([
      { labels: [['__name__', 'a'], ['job', 'j']], samples: [{ value: 1.5, timestampMs: 1000 }], metadata: { type: 'gauge', help: 'h', unit: 'u' } },
      { labels: [['__name__', 'b']], samples: [{ value: 3, timestampMs: 2000 }], exemplars: [{ labels: [['t', '1']], value: 1, timestampMs: 1 }] },
    ]);
    for (let cut = 1; cut < body.length; cut++) {
      try {
        assert.deepEqual(batchProblems(decodeRemoteWriteV2(body.subarray(0, cut)).batch), []);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `cut at ${cut}: ${String(e)}`);
      }
    }
    const next = seededUint32(9);
    for (let round = 0; round < 2000; round++) {
      const input = body.slice();
      input[next() % input.length] = next() & 0xff;
      try {
        decodeRemoteWriteV2(input);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `round ${round}: ${String(e)}`);
      }
    }
  });
});
