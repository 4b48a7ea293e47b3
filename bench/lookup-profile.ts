// In-process profile of trace lookups over a kept data folder (not part of the suite):
//   node --import tsx bench/lookup-profile.ts <dataDir> [lookups] [seed] [helper|pages|duckdb|both]
// Samples known traces from the parts, looks each up as the server does (one
// DuckDB thread, lookupTrace + assembleResourceSpans) and prints wall and CPU
// ms per lookup (p50, mean), the parts opened per lookup, and each answer's
// span count checked against the sample; parts read by the page reader
// (part-pages.ts) on one thread, with the server's helper thread reading half
// of the columns (lookup-helper.ts, the server's way), by DuckDB, or both
// (each answer's OTLP JSON compared, the figures of the page reader with the helper). PROFILE_SQL=<n> prints every
// statement's wall and CPU time (its first n characters).
import { join } from 'node:path';
import { readCatalog } from './storage.js';
import { PartReader } from './part-reader.js';
import { Engine } from '../src/engine/duckdb.js';
import { lookupTrace, TraceIndexCache, LOOKUP_ENGINE_MEMORY } from '../src/query/trace-lookup.js';
import { PartPagesCache } from '../src/query/part-pages.js';
import { LookupHelper } from '../src/query/lookup-helper.js';
import { assembleResourceSpans } from '../src/query/otlp-assemble.js';
import { procCpuSeconds } from '../src/store/thread-cpu.js';

const [dataDir, lookupsText, seedText, modeText] = process.argv.slice(2);
const mode = modeText ?? 'helper';
if (!dataDir) throw new Error('usage: lookup-profile <dataDir> [lookups] [seed]');
const lookups = Number(lookupsText ?? 100);
const catalog = await readCatalog(dataDir);
const reader = await PartReader.open();
const traces = await reader.sampleTraces(
  catalog.parts.map((p) => join(dataDir, p.path)),
  lookups,
  Number(seedText ?? 1),
);
reader.close();
const engine = await Engine.create({ dataDir, threads: 1, memoryLimit: LOOKUP_ENGINE_MEMORY });
let statements = 0;
const all = engine.all.bind(engine);
engine.all = async (sql: string, ...rest: unknown[]) => {
  statements++;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await (all as (...a: unknown[]) => Promise<never>)(sql, ...rest);
  if (process.env['PROFILE_SQL']) {
    const c = process.cpuUsage(c0);
    console.log(`${(performance.now() - t0).toFixed(1)} ms wall, ${((c.user + c.system) / 1000).toFixed(1)} ms CPU: ${sql.slice(0, Number(process.env['PROFILE_SQL']))}`);
  }
  return out;
};
const indexes = new TraceIndexCache();
const pages = mode === 'duckdb' ? undefined : new PartPagesCache();
const helper = mode === 'helper' || mode === 'both' ? new LookupHelper() : undefined;
const input = { dataDir, parts: catalog.parts, staged: [] };
// Warm the trace indexes (loaded once per part in the server too).
await Promise.all(catalog.parts.map((p) => indexes.get(dataDir, p)));
const wall: number[] = [];
const cpu: number[] = [];
let wrong = 0;
let different = 0;
// the main thread's CPU apart (a lookup's critical path when the helper has a core of its own); /proc counts in 10 ms ticks
const mainCpu0 = procCpuSeconds('thread-self');
const processCpu0 = process.cpuUsage();
for (const t of traces) {
  const id = Buffer.from(t.id, 'hex');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const rows = await lookupTrace(engine, input, id, indexes, pages, helper);
  const answer = JSON.stringify({ batches: assembleResourceSpans(rows) });
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  if (rows.length !== t.spans) wrong++;
  if (mode === 'both' && JSON.stringify({ batches: assembleResourceSpans(await lookupTrace(engine, input, id, indexes)) }) !== answer) different++;
}
const mainCpuMs = ((procCpuSeconds('thread-self') - mainCpu0) * 1000) / traces.length;
const processCpu = process.cpuUsage(processCpu0);
const processCpuMs = (processCpu.user + processCpu.system) / 1000 / traces.length;
engine.close();
await helper?.close();
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number): number => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    parts: catalog.parts.length,
    lookups: traces.length,
    wallMsP50: round(p50(wall)),
    wallMsMean: round(mean(wall)),
    cpuMsP50: round(p50(cpu)),
    cpuMsMean: round(mean(cpu)),
    mainThreadCpuMsMean: round(mainCpuMs),
    otherThreadsCpuMsMean: round(processCpuMs - mainCpuMs),
    mode,
    statementsPerLookup: round(statements / traces.length),
    wrong,
    ...(mode === 'both' ? { different } : {}),
  }),
);
