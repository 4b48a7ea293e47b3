// In-process profile of the traces bench's TraceQL searches over a kept data
// folder (not part of the suite):
//   node --import tsx bench/search-profile.ts <dataDir> [warmRuns=10] [query…]
// Runs search() as the server does (a query engine of two threads for step 1,
// the one-thread lookup engine for step 2) and prints per query: wall and CPU
// ms per search (median of the warm runs), and the CPU of step 1 (the scans
// on the query engine) apart from the rest (step 2: summaries and matched
// spans). Without queries, the bench's four (bench/queries.ts searchCases).
// PROFILE_SQL=<n> prints every statement's wall and CPU time (its first n
// characters), the statements then run one at a time (their CPU apart).
import { join } from 'node:path';
import { readCatalog } from './storage.js';
import { PartReader } from './part-reader.js';
import { searchCases } from './queries.js';
import { Engine } from '../src/engine/duckdb.js';
import { TraceIndexCache, LOOKUP_ENGINE_MEMORY } from '../src/query/trace-lookup.js';
import { search } from '../src/query/search.js';

const [dataDir, runsText, ...queries] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: search-profile <dataDir> [warmRuns] [query…]');
const runs = Number(runsText ?? 10);
const catalog = await readCatalog(dataDir);
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

let oneAtATime: Promise<void> = Promise.resolve();

/** CPU ms spent inside this engine's statements (only sound while nothing else runs at the same time). */
function metered(engine: Engine, label: string): { cpu: number } {
  const meter = { cpu: 0 };
  const all = engine.all.bind(engine);
  engine.all = async (sql: string, ...rest: unknown[]) => {
    if (process.env['PROFILE_SQL']) {
      const before = oneAtATime;
      let done = (): void => {};
      oneAtATime = new Promise<void>((resolve) => (done = resolve));
      await before;
      try {
        const c0 = cpuMs();
        const t0 = performance.now();
        const out = await (all as (...a: unknown[]) => Promise<never>)(sql, ...rest);
        meter.cpu += cpuMs() - c0;
        console.error(`${label} ${(performance.now() - t0).toFixed(1)} ms wall, ${(cpuMs() - c0).toFixed(1)} ms CPU: ${sql.slice(0, Number(process.env['PROFILE_SQL']))}`);
        return out;
      } finally {
        done();
      }
    }
    const c0 = cpuMs();
    try {
      return await (all as (...a: unknown[]) => Promise<never>)(sql, ...rest);
    } finally {
      meter.cpu += cpuMs() - c0;
    }
  };
  return meter;
}

const engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '2GB' });
const lookupEngine = await Engine.create({ dataDir, threads: 1, memoryLimit: LOOKUP_ENGINE_MEMORY, tempSubdir: 'duckdb-lookup' });
const step1 = metered(engine, 'step1');
metered(lookupEngine, 'step2');
const indexes = new TraceIndexCache();
const input = { dataDir, parts: catalog.parts, staged: [] };
await Promise.all(catalog.parts.map((p) => indexes.get(dataDir, p)));
let cases: { key: string; traceql: string }[];
if (queries.length > 0) cases = queries.map((q, i) => ({ key: `q${i}`, traceql: q }));
else {
  const reader = await PartReader.open();
  cases = searchCases(await reader.mediumSpanName(catalog.parts.map((p) => join(dataDir, p.path))));
  reader.close();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number => Math.round(x * 10) / 10;
for (const c of cases) {
  const wall: number[] = [];
  const cpu: number[] = [];
  const cpu1: number[] = [];
  let traces = 0;
  for (let run = 0; run <= runs; run++) {
    const before = step1.cpu;
    const c0 = cpuMs();
    const t0 = performance.now();
    const answer = await search(engine, input, { query: c.traceql, limit: 20, spss: 3 }, indexes, lookupEngine);
    if (run === 0) continue; // the first run loads footers and summaries
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
    cpu1.push(step1.cpu - before);
    traces = answer.traces.length;
  }
  console.log(JSON.stringify({ key: c.key, traces, wallMs: round(median(wall)), cpuMs: round(median(cpu)), step1CpuMs: round(median(cpu1)), restCpuMs: round(median(cpu.map((x, i) => x - cpu1[i]!))) }));
}
engine.close();
lookupEngine.close();
