// Prometheus remote_write 1.0 `prometheus.WriteRequest` (uncompressed
// protobuf) → SampleBatch, in one walk with no object per sample. Field
// numbers are those of prometheus/prompb remote.proto and types.proto:
//
//   WriteRequest    1 timeseries (repeated TimeSeries)   3 metadata (repeated MetricMetadata)
//                   (2 is reserved)
//   TimeSeries      1 labels (repeated Label)            2 samples (repeated Sample)
//                   3 exemplars (repeated Exemplar)      4 histograms (repeated Histogram)
//   Label           1 name (string)                      2 value (string)
//   Sample          1 value (double)                     2 timestamp (int64, ms)
//   MetricMetadata  1 type (enum)  2 metric_family_name  4 help  5 unit (strings)
//
// Label rules, as Prometheus applies them: labels are sorted by name; a
// duplicate or empty label name, invalid UTF-8 in a label, or a series left
// with no labels rejects the whole request (DecodeError); empty values are
// dropped; a series without __name__ is kept. Native histograms and exemplars
// are not stored yet: they are counted as rejected and named in `warnings`.

import { isUtf8 } from 'node:buffer';
import type { SampleBatch } from '../../model/sample-batch.js';
import { ProtoReader, WireType } from '../protobuf-reader.js';
import { SampleBatchBuilder } from './sample-batch-builder.js';
import { skipField } from './proto-skip.js';

export interface DecodedRemoteWrite {
  batch: SampleBatch;
  /** Counts for the remote_write 2.0 response headers (X-Prometheus-Remote-Write-*-Written). */
  samplesWritten: number;
  histogramsWritten: number;
  exemplarsWritten: number;
  /** Sent but not stored. */
  histogramsRejected: number;
  exemplarsRejected: number;
  /** One line per kind of thing dropped, for the response body and the log. */
  warnings: string[];
}

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
const UNKNOWN = -1;

const WRITE_REQUEST_WIRE = [UNKNOWN, LEN, UNKNOWN, LEN];
const TIME_SERIES_WIRE = [UNKNOWN, LEN, LEN, LEN, LEN];
const LABEL_WIRE = [UNKNOWN, LEN, LEN];
const SAMPLE_WIRE = [UNKNOWN, I64, VARINT];
const METADATA_WIRE = [UNKNOWN, VARINT, LEN, UNKNOWN, LEN, LEN];

/** MetricMetadata.MetricType (v1) and Metadata.MetricType (v2) share numbers 0..7. */
const METRIC_TYPE_NAMES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

export function metricTypeName(value: number): string {
  return METRIC_TYPE_NAMES[value] ?? 'unknown';
}

/** Decodes an uncompressed remote_write 1.0 WriteRequest. */
export function decodeRemoteWriteV1(bytes: Uint8Array): DecodedRemoteWrite {
  const r = new ProtoReader(bytes, 'remote-write');
  const b = new SampleBatchBuilder();
  const tally = new Tally();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 timeseries
      const outer = r.enter();
      decodeTimeSeries(r, b, tally);
      r.leave(outer);
    } else if (tag === 26) {
      // 3 metadata
      const outer = r.enter();
      decodeMetadata(r, b);
      r.leave(outer);
    } else {
      skipField(r, tag, WRITE_REQUEST_WIRE, 'WriteRequest');
    }
  }
  return tally.result(b);
}

// TimeSeries, in two passes because labels may follow samples: labels first
// (to close the series and learn its index), then samples, exemplars, histograms.
function decodeTimeSeries(r: ProtoReader, b: SampleBatchBuilder, tally: Tally): void {
  const start = r.pos;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) decodeLabel(r, b); // 1 labels
    else if (tag === 18 || tag === 26 || tag === 34) r.skip(tag); // read in the second pass
    else skipField(r, tag, TIME_SERIES_WIRE, 'TimeSeries');
  }
  const series = closeSeries(r, b, start);
  const samplesBefore = b.sampleCount;
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      // 2 samples
      decodeSample(r, b, series);
    } else if (tag === 26) {
      // 3 exemplars
      tally.exemplarsRejected++;
      r.skip(tag);
    } else if (tag === 34) {
      // 4 histograms
      tally.histogramsRejected++;
      r.skip(tag);
    } else {
      r.skip(tag);
    }
  }
  tally.samplesWritten += b.sampleCount - samplesBefore;
  if (b.sampleCount === samplesBefore) b.removeLastSeries();
}

// Label: 1 name, 2 value
function decodeLabel(r: ProtoReader, b: SampleBatchBuilder): void {
  const outer = r.enter();
  let name = '';
  let value = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) name = checkedString(r, true);
    else if (tag === 18) value = checkedString(r, false);
    else skipField(r, tag, LABEL_WIRE, 'Label');
  }
  r.leave(outer);
  b.addLabel(name, value);
}

/** Closes the series whose labels were added; a bad label set rejects the request. */
export function closeSeries(r: ProtoReader, b: SampleBatchBuilder, seriesAt: number): number {
  const series = b.endSeries();
  if (typeof series !== 'number') {
    if (series.kind === 'empty-name') r.fail('empty label name in series', seriesAt);
    r.fail(`duplicate label name ${JSON.stringify(series.name)} in series`, seriesAt);
  }
  if (b.labelCountOf(series) === 0) r.fail('series without labels', seriesAt);
  return series;
}

/**
 * A length-delimited string that must be valid UTF-8 (label names and values:
 * Prometheus refuses others rather than replacing bytes). `name` selects the
 * interner for names. Decoding replaces bad bytes with U+FFFD, so only a
 * string holding one needs its bytes checked.
 */
export function checkedString(r: ProtoReader, name: boolean): string {
  const at = r.pos;
  const s = name ? r.key() : r.string();
  if (s.indexOf('\uFFFD') >= 0) {
    const start = r.pos - utf8Length(r, at);
    if (!isUtf8(r.bytes.subarray(start, r.pos))) r.fail(`invalid UTF-8 in label ${name ? 'name' : 'value'}`, start);
  }
  return s;
}

/** Length of the string whose length prefix starts at `at` (re-read; only on the rare path). */
function utf8Length(r: ProtoReader, at: number): number {
  const pos = r.pos;
  r.pos = at;
  const length = r.length();
  r.pos = pos;
  return length;
}

// Sample: 1 value (double), 2 timestamp (int64). The value is copied as its
// two 32-bit halves so NaN payloads (the staleness marker) stay bit-exact.
export function decodeSample(r: ProtoReader, b: SampleBatchBuilder, series: number): void {
  const outer = r.enter();
  const bytes = r.bytes;
  let lo = 0;
  let hi = 0;
  let timeMs = 0;
  // fast path for what every sender writes: value then timestamp
  if (r.end - r.pos >= 11 && bytes[r.pos] === 9 && bytes[r.pos + 9] === 16) {
    r.pos++;
    lo = r.fixed64Lo();
    hi = r.hi;
    r.pos++;
    const tlo = r.varint64();
    timeMs = (r.hi | 0) * 0x100000000 + tlo;
  }
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 9) {
      lo = r.fixed64Lo();
      hi = r.hi;
    } else if (tag === 16) {
      const tlo = r.varint64();
      // int64 from two's-complement halves; exact within ±2^53 ms
      timeMs = (r.hi | 0) * 0x100000000 + tlo;
    } else {
      skipField(r, tag, SAMPLE_WIRE, 'Sample');
    }
  }
  r.leave(outer);
  b.addSampleBits(series, timeMs, lo, hi);
}

// MetricMetadata: 1 type, 2 metric_family_name, 4 help, 5 unit
function decodeMetadata(r: ProtoReader, b: SampleBatchBuilder): void {
  let type = 0;
  let metric = '';
  let help = '';
  let unit = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 8) type = r.uint32();
    else if (tag === 18) metric = r.string();
    else if (tag === 34) help = r.string();
    else if (tag === 42) unit = r.string();
    else skipField(r, tag, METADATA_WIRE, 'MetricMetadata');
  }
  if (metric !== '') b.setMetadata({ metric, type: metricTypeName(type), help, unit });
}

/** What a request wrote and dropped. */
export class Tally {
  samplesWritten = 0;
  histogramsRejected = 0;
  exemplarsRejected = 0;

  result(b: SampleBatchBuilder): DecodedRemoteWrite {
    const warnings: string[] = [];
    if (this.histogramsRejected > 0) {
      warnings.push(`${plural(this.histogramsRejected, 'native histogram sample')} rejected: native histograms are not stored yet`);
    }
    if (this.exemplarsRejected > 0) {
      warnings.push(`${plural(this.exemplarsRejected, 'exemplar')} rejected: exemplars are not stored yet`);
    }
    return {
      batch: b.finish(),
      samplesWritten: this.samplesWritten,
      histogramsWritten: 0,
      exemplarsWritten: 0,
      histogramsRejected: this.histogramsRejected,
      exemplarsRejected: this.exemplarsRejected,
      warnings,
    };
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

