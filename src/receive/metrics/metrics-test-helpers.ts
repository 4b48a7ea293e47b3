// Test helpers for the metric decoders: an OTLP/JSON-shaped metrics request
// written as protobuf (so one test case feeds both OTLP decoders the same
// request, including what the OpenTelemetry JS SDK cannot produce: summaries,
// flags, delta sums), a readable listing of a SampleBatch with an invariant
// check, and a seeded generator.

import { readFileSync } from 'node:fs';
import type { SampleBatch } from '../../model/sample-batch.js';
import { ProtoWriter } from '../protobuf-writer.js';

type Json = { readonly [key: string]: unknown };

const scratch = new Float64Array(1);
const halves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeDouble(w: ProtoWriter, x: number): void {
  scratch[0] = x;
  w.fixed64(halves[LITTLE_ENDIAN ? 0 : 1]!, halves[LITTLE_ENDIAN ? 1 : 0]!);
}

function doubleOf(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

function writeFixed64(w: ProtoWriter, v: unknown): void {
  const n = BigInt.asUintN(64, BigInt(v as string | number));
  w.fixed64(Number(n & 0xffffffffn), Number(n >> 32n));
}

function message(w: ProtoWriter, tag: number, body: () => void): void {
  w.tag(tag);
  const at = w.begin(3);
  body();
  w.finish(at, 3);
}

function list(o: Json, key: string): Json[] {
  return (o[key] as Json[] | undefined) ?? [];
}

function writeAnyValue(w: ProtoWriter, v: Json): void {
  if (v['stringValue'] !== undefined) {
    w.tag(10);
    w.string(v['stringValue'] as string);
  } else if (v['boolValue'] !== undefined) {
    w.tag(16);
    w.bool(v['boolValue'] as boolean);
  } else if (v['intValue'] !== undefined) {
    w.tag(24);
    w.int64(BigInt(v['intValue'] as string | number));
  } else if (v['doubleValue'] !== undefined) {
    w.tag(33);
    writeDouble(w, doubleOf(v['doubleValue']));
  } else if (v['arrayValue'] !== undefined) {
    message(w, 42, () => {
      for (const e of list(v['arrayValue'] as Json, 'values')) message(w, 10, () => writeAnyValue(w, e));
    });
  } else if (v['kvlistValue'] !== undefined) {
    message(w, 50, () => writeAttributes(w, 10, list(v['kvlistValue'] as Json, 'values')));
  } else if (v['bytesValue'] !== undefined) {
    w.tag(58);
    w.bytes(Buffer.from(v['bytesValue'] as string, 'base64'));
  }
}

function writeAttributes(w: ProtoWriter, tag: number, attributes: Json[]): void {
  for (const kv of attributes) {
    message(w, tag, () => {
      w.tag(10);
      w.string(kv['key'] as string);
      if (kv['value'] !== undefined) message(w, 18, () => writeAnyValue(w, kv['value'] as Json));
    });
  }
}

const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

function temporalityOf(v: unknown): number {
  return typeof v === 'string' ? TEMPORALITY[v]! : Number(v ?? 0);
}

function writeCommonPoint(w: ProtoWriter, p: Json): void {
  if (p['startTimeUnixNano'] !== undefined) {
    w.tag(17);
    writeFixed64(w, p['startTimeUnixNano']);
  }
  if (p['timeUnixNano'] !== undefined) {
    w.tag(25);
    writeFixed64(w, p['timeUnixNano']);
  }
}

function writeNumberPoint(w: ProtoWriter, p: Json): void {
  writeAttributes(w, 58, list(p, 'attributes'));
  writeCommonPoint(w, p);
  if (p['asDouble'] !== undefined) {
    w.tag(33);
    writeDouble(w, doubleOf(p['asDouble']));
  }
  if (p['asInt'] !== undefined) {
    w.tag(49);
    writeFixed64(w, p['asInt']);
  }
  if (p['flags'] !== undefined) {
    w.tag(64);
    w.uint32(p['flags'] as number);
  }
}

function writeHistogramPoint(w: ProtoWriter, p: Json): void {
  writeAttributes(w, 74, list(p, 'attributes'));
  writeCommonPoint(w, p);
  w.tag(33);
  writeFixed64(w, p['count'] ?? 0);
  if (p['sum'] !== undefined) {
    w.tag(41);
    writeDouble(w, doubleOf(p['sum']));
  }
  const counts = (p['bucketCounts'] as unknown[] | undefined) ?? [];
  if (counts.length > 0) message(w, 50, () => counts.forEach((c) => writeFixed64(w, c)));
  const bounds = (p['explicitBounds'] as unknown[] | undefined) ?? [];
  if (bounds.length > 0) message(w, 58, () => bounds.forEach((b) => writeDouble(w, doubleOf(b))));
  if (p['flags'] !== undefined) {
    w.tag(80);
    w.uint32(p['flags'] as number);
  }
}

function writeSummaryPoint(w: ProtoWriter, p: Json): void {
  writeAttributes(w, 58, list(p, 'attributes'));
  writeCommonPoint(w, p);
  w.tag(33);
  writeFixed64(w, p['count'] ?? 0);
  w.tag(41);
  writeDouble(w, doubleOf(p['sum'] ?? 0));
  for (const q of list(p, 'quantileValues')) {
    message(w, 50, () => {
      w.tag(9);
      writeDouble(w, doubleOf(q['quantile'] ?? 0));
      w.tag(17);
      writeDouble(w, doubleOf(q['value'] ?? 0));
    });
  }
  if (p['flags'] !== undefined) {
    w.tag(64);
    w.uint32(p['flags'] as number);
  }
}

function writeMetric(w: ProtoWriter, m: Json): void {
  w.tag(10);
  w.string((m['name'] as string | undefined) ?? '');
  if (m['description'] !== undefined) {
    w.tag(18);
    w.string(m['description'] as string);
  }
  if (m['unit'] !== undefined) {
    w.tag(26);
    w.string(m['unit'] as string);
  }
  const data: [string, number, (w: ProtoWriter, p: Json) => void][] = [
    ['gauge', 42, writeNumberPoint],
    ['sum', 58, writeNumberPoint],
    ['histogram', 74, writeHistogramPoint],
    ['exponentialHistogram', 82, () => undefined],
    ['summary', 90, writeSummaryPoint],
  ];
  for (const [key, tag, writePoint] of data) {
    const d = m[key] as Json | undefined;
    if (d === undefined) continue;
    message(w, tag, () => {
      for (const p of list(d, 'dataPoints')) message(w, 10, () => writePoint(w, p));
      if (d['aggregationTemporality'] !== undefined) {
        w.tag(16);
        w.uint32(temporalityOf(d['aggregationTemporality']));
      }
      if (d['isMonotonic'] === true) {
        w.tag(24);
        w.bool(true);
      }
    });
  }
}

/** The protobuf ExportMetricsServiceRequest for an OTLP/JSON-shaped request (the subset tests use). */
export function encodeMetricsRequest(request: Json): Buffer {
  const w = new ProtoWriter();
  for (const rm of list(request, 'resourceMetrics')) {
    message(w, 10, () => {
      const resource = rm['resource'] as Json | undefined;
      if (resource !== undefined) message(w, 10, () => writeAttributes(w, 10, list(resource, 'attributes')));
      for (const sm of list(rm, 'scopeMetrics')) {
        message(w, 18, () => {
          const scope = sm['scope'] as Json | undefined;
          if (scope !== undefined) {
            message(w, 10, () => {
              if (scope['name'] !== undefined) {
                w.tag(10);
                w.string(scope['name'] as string);
              }
              if (scope['version'] !== undefined) {
                w.tag(18);
                w.string(scope['version'] as string);
              }
              writeAttributes(w, 26, list(scope, 'attributes'));
            });
          }
          for (const m of list(sm, 'metrics')) message(w, 18, () => writeMetric(w, m));
          if (sm['schemaUrl'] !== undefined) {
            w.tag(26);
            w.string(sm['schemaUrl'] as string);
          }
        });
      }
    });
  }
  return w.toBytes();
}

/** One line per series, `{name="value", …}`, sorted; with the series' samples as [timeMs, value]. */
export function listSeries(batch: SampleBatch): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const text: string[] = [];
  for (let s = 0; s < batch.seriesCount; s++) {
    const labels: string[] = [];
    for (let i = batch.labelOffsets[s]!; i < batch.labelOffsets[s + 1]!; i++) {
      labels.push(`${batch.labelNames[i]!}=${JSON.stringify(batch.labelValues[i]!)}`);
    }
    text.push(`{${labels.join(', ')}}`);
  }
  const samples: [number, number][][] = text.map(() => []);
  for (let i = 0; i < batch.sampleCount; i++) samples[batch.sampleSeries[i]!]!.push([batch.sampleTimeMs[i]!, batch.sampleValue[i]!]);
  const order = text.map((_, i) => i).sort((a, b) => (text[a]! < text[b]! ? -1 : text[a]! > text[b]! ? 1 : 0));
  for (const i of order) out.set(text[i]!, samples[i]!);
  return out;
}

/** Checks the SampleBatch invariants: labels sorted by name, unique, no empty values, samples pointing at series. */
export function batchProblems(batch: SampleBatch): string[] {
  const problems: string[] = [];
  if (batch.labelOffsets.length !== batch.seriesCount + 1) problems.push('labelOffsets length');
  if (batch.labelOffsets[0] !== 0) problems.push('labelOffsets[0] is not 0');
  if (batch.labelOffsets[batch.seriesCount] !== batch.labelNames.length) problems.push('labelOffsets end');
  if (batch.labelNames.length !== batch.labelValues.length) problems.push('names and values differ in length');
  for (let s = 0; s < batch.seriesCount; s++) {
    for (let i = batch.labelOffsets[s]!; i < batch.labelOffsets[s + 1]!; i++) {
      if (batch.labelValues[i] === '') problems.push(`series ${s}: empty value`);
      if (i > batch.labelOffsets[s]! && !(batch.labelNames[i - 1]! < batch.labelNames[i]!)) problems.push(`series ${s}: not sorted`);
    }
  }
  for (let i = 0; i < batch.sampleCount; i++) if (batch.sampleSeries[i]! >= batch.seriesCount) problems.push(`sample ${i}: bad series`);
  return problems;
}

/** A seeded generator of uint32s (mulberry32), for deterministic fuzz and property tests. */
export function seededUint32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  };
}

/** A file of fixtures/, from the sources or from the compiled copy under dist/ (tsc does not copy fixtures). */
export function readFixture(name: string): Buffer {
  const compiled = import.meta.url.endsWith('.js');
  return readFileSync(new URL(compiled ? `../../../../src/receive/metrics/fixtures/${name}` : `./fixtures/${name}`, import.meta.url));
}
