// Prometheus remote_write 2.0 `io.prometheus.write.v2.Request` (uncompressed
// protobuf) → SampleBatch. Field numbers from prompb/io/prometheus/write/v2/types.proto:
//
//   Request     4 symbols (repeated string)      5 timeseries (repeated TimeSeries)
//               (1..3 reserved: a 1.0 body read as 2.0 decodes as empty)
//   TimeSeries  1 labels_refs (repeated uint32, packed: name, value, name, value…)
//               2 samples (repeated Sample)      3 histograms (repeated Histogram)
//               4 exemplars (repeated Exemplar)  5 metadata (Metadata)
//               6 created_timestamp (int64 ms)
//   Sample      1 value (double)                 2 timestamp (int64 ms)
//   Metadata    1 type (enum)   3 help_ref (uint32)   4 unit_ref (uint32)
//
// Every ref indexes `symbols`; one out of range, or an odd number of label
// refs, is a DecodeError. Symbols are located in a first pass and decoded
// (and checked for UTF-8) once, on first use. Label rules and what is not
// stored (native histograms, exemplars) are as in remote-write-decode.ts;
// created_timestamp is read past (nowhere to keep it yet).

import { ProtoReader, WireType } from '../protobuf-reader.js';
import { SampleBatchBuilder } from './sample-batch-builder.js';
import { Tally, checkedString, closeSeries, decodeSample, metricTypeName, type DecodedRemoteWrite } from './remote-write-decode.js';
import { skipField } from './proto-skip.js';

const VARINT = WireType.Varint;
const LEN = WireType.LengthDelimited;
const UNKNOWN = -1;

const REQUEST_WIRE = [UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, LEN, LEN];
const TIME_SERIES_WIRE = [UNKNOWN, UNKNOWN, LEN, LEN, LEN, LEN, VARINT]; // 1 is packed or not
const METADATA_WIRE = [UNKNOWN, VARINT, UNKNOWN, VARINT, VARINT];

const LABELS_REFS_PACKED = 10;
const LABELS_REFS_SINGLE = 8;

/** The symbol table: where each symbol's length prefix is, and its string once decoded. */
class Symbols {
  count = 0;
  private at = new Uint32Array(256);
  private readonly decoded: (string | undefined)[] = [];
  /** Label refs of the series being read, reused across series. */
  refs = new Uint32Array(64);

  add(offset: number): void {
    if (this.count === this.at.length) {
      const next = new Uint32Array(this.at.length * 2);
      next.set(this.at);
      this.at = next;
    }
    this.at[this.count++] = offset;
  }

  /** Symbol `ref`, read with `r` (whose position and bounds are restored). */
  get(r: ProtoReader, ref: number, refAt: number, name: boolean): string {
    if (ref >= this.count) r.fail(`symbol ref ${ref} out of range (${this.count} symbols)`, refAt);
    const cached = this.decoded[ref];
    if (cached !== undefined) return cached;
    const pos = r.pos;
    const end = r.end;
    r.pos = this.at[ref]!;
    r.end = r.bytes.length;
    const s = checkedString(r, name);
    r.pos = pos;
    r.end = end;
    this.decoded[ref] = s;
    return s;
  }
}

/** Decodes an uncompressed remote_write 2.0 Request. */
export function decodeRemoteWriteV2(bytes: Uint8Array): DecodedRemoteWrite {
  const r = new ProtoReader(bytes, 'remote-write-v2');
  const b = new SampleBatchBuilder();
  const tally = new Tally();
  const symbols = new Symbols();
  // pass 1: symbols may come after the series that use them
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 34) {
      // 4 symbols
      symbols.add(r.pos);
      r.skip(tag);
    } else if (tag === 42) {
      r.skip(tag); // 5 timeseries, read in the second pass
    } else {
      skipField(r, tag, REQUEST_WIRE, 'Request');
    }
  }
  r.pos = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 42) {
      // 5 timeseries
      const outer = r.enter();
      decodeTimeSeries(r, b, tally, symbols);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  return tally.result(b);
}

function decodeTimeSeries(r: ProtoReader, b: SampleBatchBuilder, tally: Tally, symbols: Symbols): void {
  const start = r.pos;
  let refCount = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === LABELS_REFS_PACKED) {
      refCount = readPackedRefs(r, symbols, refCount);
    } else if (tag === LABELS_REFS_SINGLE) {
      refCount = pushRef(symbols, refCount, r.uint32());
    } else if (tag === 18 || tag === 26 || tag === 34 || tag === 42 || tag === 48) {
      r.skip(tag); // read in the second pass, or (6 created_timestamp) not kept
    } else {
      skipField(r, tag, TIME_SERIES_WIRE, 'TimeSeries');
    }
  }
  if (refCount % 2 !== 0) r.fail(`odd number of label refs (${refCount}) in series`, start);
  const refs = symbols.refs;
  for (let i = 0; i < refCount; i += 2) {
    b.addLabel(symbols.get(r, refs[i]!, start, true), symbols.get(r, refs[i + 1]!, start, false));
  }
  const series = closeSeries(r, b, start);
  const samplesBefore = b.sampleCount;
  r.pos = start;
  const metadata = { type: 0, help: 0, unit: 0 };
  let sawMetadata = false;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      // 2 samples
      decodeSample(r, b, series);
    } else if (tag === 26) {
      // 3 histograms
      tally.histogramsRejected++;
      r.skip(tag);
    } else if (tag === 34) {
      // 4 exemplars
      tally.exemplarsRejected++;
      r.skip(tag);
    } else if (tag === 42) {
      // 5 metadata: repeated occurrences merge, the later value of each field wins
      const outer = r.enter();
      decodeMetadata(r, metadata);
      r.leave(outer);
      sawMetadata = true;
    } else {
      r.skip(tag);
    }
  }
  if (sawMetadata) addMetadata(r, b, series, symbols, metadata, start);
  tally.samplesWritten += b.sampleCount - samplesBefore;
  if (b.sampleCount === samplesBefore) b.removeLastSeries();
}

function readPackedRefs(r: ProtoReader, symbols: Symbols, refCount: number): number {
  const outer = r.enter();
  while (r.pos < r.end) refCount = pushRef(symbols, refCount, r.uint32());
  r.leave(outer);
  return refCount;
}

function pushRef(symbols: Symbols, refCount: number, ref: number): number {
  if (refCount === symbols.refs.length) {
    const next = new Uint32Array(symbols.refs.length * 2);
    next.set(symbols.refs);
    symbols.refs = next;
  }
  symbols.refs[refCount] = ref;
  return refCount + 1;
}

interface MetadataRefs {
  type: number;
  help: number;
  unit: number;
}

// Metadata: 1 type, 3 help_ref, 4 unit_ref
function decodeMetadata(r: ProtoReader, out: MetadataRefs): void {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 8) out.type = r.uint32();
    else if (tag === 24) out.help = r.uint32();
    else if (tag === 32) out.unit = r.uint32();
    else skipField(r, tag, METADATA_WIRE, 'Metadata');
  }
}

/** Metadata belongs to the series' metric family: its __name__ (none, no metadata). */
function addMetadata(r: ProtoReader, b: SampleBatchBuilder, series: number, symbols: Symbols, m: MetadataRefs, at: number): void {
  const metric = b.labelValueOf(series, '__name__');
  if (metric === undefined) return;
  const help = symbols.get(r, m.help, at, false);
  const unit = symbols.get(r, m.unit, at, false);
  if (m.type === 0 && help === '' && unit === '') return;
  b.setMetadata({ metric, type: metricTypeName(m.type), help, unit });
}
