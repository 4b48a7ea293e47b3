// In-process profile of the ingest path's stages (not part of the suite):
//   node --import tsx bench/ingest-profile.ts [spans] [spansPerSeal]
// Loadgen requests (as the traces bench sends them) are decoded, their
// batches flattened into staging columns and encoded as a staging file, as
// the head seals them. Prints CPU µs per span of each stage (best of five
// passes, so a busy machine's noise shows less). Add --cpu-prof to node's
// arguments for a profile of the same work.

import { buildRequestPool, rewriteRequest } from '../src/loadgen/request-pool.js';
import { Rng } from '../src/loadgen/rng.js';
import { encodeExportTraceServiceRequest } from '../src/receive/otlp-proto-encode.js';
import { decodeExportTraceServiceRequest } from '../src/receive/otlp-proto-decode.js';
import { spanStagingSchema } from '../src/parts/span-columns.js';
import { DEFAULT_DEDICATED_COLUMNS } from '../src/parts/schema.js';
import { encodeParquetWithLayout } from '../src/parts/parquet/writer.js';
import type { SpanBatch } from '../src/model/span-batch.js';

const spans = Number(process.argv[2] ?? 300_000);
const schema = spanStagingSchema(DEFAULT_DEDICATED_COLUMNS);
const spansPerSeal = Number(process.argv[3] ?? 50_000);

const pool = buildRequestPool({ encode: encodeExportTraceServiceRequest, requests: 200, spansPerRequest: 1000, rng: new Rng(1), nowUnixNano: BigInt(Date.now()) * 1_000_000n });
const rng = new Rng(2);
const scratch = new Uint8Array(Math.max(...pool.map((p) => p.body.length)));
const bodies: Uint8Array[] = [];
for (let n = 0, seq = 0; n < spans; seq++) {
  const mask = new Uint8Array(16);
  rng.fillBytes(mask, 0, 16);
  const p = pool[seq % pool.length]!;
  bodies.push(rewriteRequest(p, scratch, mask, 0).slice());
  n += p.spans;
}

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

interface Pass {
  decode: number;
  columns: number;
  encode: number;
  spans: number;
}

function pass(): Pass {
  const out: Pass = { decode: 0, columns: 0, encode: 0, spans: 0 };
  let pending: SpanBatch[] = [];
  let pendingSpans = 0;
  const seal = (): void => {
    const t0 = cpuUs();
    const columns = schema.rowColumns(pending);
    const t1 = cpuUs();
    encodeParquetWithLayout(pendingSpans, columns);
    // as the head does once the file is written
    schema.recycle?.(columns.filter((c) => c.name !== schema.traceIdColumn && c.name !== schema.timeColumn));
    const t2 = cpuUs();
    out.columns += t1 - t0;
    out.encode += t2 - t1;
    pending = [];
    pendingSpans = 0;
  };
  for (const body of bodies) {
    const t0 = cpuUs();
    const batch = decodeExportTraceServiceRequest(body).batch;
    out.decode += cpuUs() - t0;
    pending.push(batch);
    pendingSpans += batch.length;
    out.spans += batch.length;
    if (pendingSpans >= spansPerSeal) seal();
  }
  if (pendingSpans > 0) seal();
  return out;
}

const passes = [pass(), pass(), pass(), pass(), pass()];
const best = (f: (p: Pass) => number): number => Math.min(...passes.map((p) => f(p) / p.spans));
console.log(
  JSON.stringify({
    spans: passes[0]!.spans,
    spansPerSeal,
    decodeUsPerSpan: +best((p) => p.decode).toFixed(3),
    columnsUsPerSpan: +best((p) => p.columns).toFixed(3),
    encodeUsPerSpan: +best((p) => p.encode).toFixed(3),
    totalUsPerSpan: +best((p) => p.decode + p.columns + p.encode).toFixed(3),
  }),
);
