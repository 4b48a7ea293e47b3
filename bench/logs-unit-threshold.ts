// Where the units form of a log part (src/parts/log-unit-form.ts) stops
// paying, by the average lines of a unit of work: the bench records
// (bench/logs-dataset.ts, requests of 3.4 lines) with each request cut
// into smaller units — a line starts a new request id with probability p —
// flushed in line form and in units form; bytes per record of each part.
// Below LEAST_LINES_PER_UNIT the flush writes the line form anyway: set it
// to 1 locally to measure there (docs/storage.md, "Session 16: the flush
// writes per-request fields once per unit").
//   node --import tsx bench/logs-unit-threshold.ts [records] [p,p,…]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logRecord } from './logs-dataset.js';
import { decodeJsonLines } from '../src/receive/json-lines-decode.js';
import { logRowColumns } from '../src/parts/log-columns.js';
import { logRowsOf, logTokensOf } from '../src/parts/log-token-chunks.js';
import { writeParquetFile } from '../src/parts/parquet/writer.js';
import type { StagedFile } from '../src/head/head.js';
import { Engine } from '../src/engine/duckdb.js';
import { writeParts } from '../src/parts/part-writer.js';
import { LOG_PART_LAYOUT } from '../src/store/log-store.js';
import { stagedSource } from '../src/store/signal-store.js';
import { seededRandom } from '../src/model/seeded-random.js';

const records = Number(process.argv[2] ?? 200_000);
const splits = (process.argv[3] ?? '0,0.2,0.4,0.6,0.8,1').split(',').map(Number);
const LINES_PER_FILE = 50_000;

/** The bench records, a line starting a unit of its own with probability p: NDJSON bodies, and the units made. */
function bodiesOf(p: number): { bodies: Uint8Array[]; units: number } {
  const random = seededRandom(7);
  const unitOf = new Map<string, string>();
  const encoder = new TextEncoder();
  const bodies: Uint8Array[] = [];
  let units = 0;
  for (let from = 0; from < records; from += LINES_PER_FILE) {
    let text = '';
    for (let i = from; i < Math.min(records, from + LINES_PER_FILE); i++) {
      const record = logRecord(1, i, records);
      const request = String(record['req_id']);
      let unit = unitOf.get(request);
      if (unit === undefined || random() < p) {
        unit = `${request}.${units++}`;
        unitOf.set(request, unit);
      }
      text += JSON.stringify({ ...record, req_id: unit }) + '\n';
    }
    bodies.push(encoder.encode(text));
  }
  return { bodies, units };
}

async function stagedOf(dir: string, bodies: readonly Uint8Array[]): Promise<StagedFile[]> {
  const staged: StagedFile[] = [];
  for (const body of bodies) {
    const { batch } = decodeJsonLines(body, { stream: 'app', timeField: 'ts', severityField: 'level', correlationField: 'req_id', receivedNs: 1n });
    const columns = logRowColumns([batch]);
    const path = join(dir, `${String(staged.length).padStart(6, '0')}.parquet`);
    const { layout } = await writeParquetFile(path, batch.length, columns, { durable: false });
    const startNs = (columns.find((c) => c.name === 'time_unix_nano') as { values: BigInt64Array }).values;
    staged.push({ path, rows: batch.length, firstSeq: 0, lastSeq: 0, minStartNs: 0n, maxStartNs: 0n, traceIds: new Uint8Array(batch.length * 16), startNs, columns: columns.map((c) => c.name), layout, services: new Set(batch.resources.serviceName), sidecar: logTokensOf([batch]) });
  }
  return staged;
}

const dir = await mkdtemp(join(tmpdir(), 'marquetry-unit-threshold-'));
const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '1GB' });
try {
  for (const p of splits) {
    const { bodies, units } = bodiesOf(p);
    const staged = await stagedOf(dir, bodies);
    const bytes: Record<string, number> = {};
    let unitColumns = 0;
    for (const on of [false, true]) {
      const parts = await writeParts(engine, dir, { ...LOG_PART_LAYOUT, unitColumns: on }, stagedSource(staged, logRowsOf), 0);
      bytes[on ? 'units' : 'lines'] = Math.round((parts.reduce((n, part) => n + part.bytes, 0) / records) * 1000) / 1000;
      if (on) unitColumns = parts.reduce((n, part) => n + part.columns.filter((c) => c.endsWith('::unit')).length, 0);
      for (const part of parts) await rm(join(dir, part.path), { force: true });
    }
    for (const f of staged) await rm(f.path);
    console.log(JSON.stringify({ records, p, linesPerUnit: Math.round((records / units) * 100) / 100, unitColumns, ...bytes, saved: Math.round((bytes['lines']! - bytes['units']!) * 1000) / 1000 }));
  }
} finally {
  engine.close();
  await rm(dir, { recursive: true, force: true });
}
