// In-process profile of a log search over a kept data folder (not part of the suite):
//   node --import tsx bench/logs-search-profile.ts <dataDir> <query> [runs]
// Prints wall and CPU milliseconds per search (p50), and the plan's stats.
import { readCatalog } from './storage.js';
import { Engine } from '../src/engine/duckdb.js';
import { LogTokenIndexes } from '../src/store/log-token-store.js';
import { searchLogs } from '../src/query/logs/log-search.js';
import { parseLogQuery } from '../src/query/logs/log-query.js';
import { PartPagesCache } from '../src/query/part-pages.js';

const [dataDir, query, runsText] = process.argv.slice(2);
if (!dataDir || !query) throw new Error('usage: logs-search-profile <dataDir> <query> [runs]');
const runs = Number(runsText ?? 9);
const catalog = await readCatalog(dataDir, 'logs');
const engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '1GB' });
const indexes = new LogTokenIndexes(dataDir);
// Each SQL statement's wall and CPU time, with PROFILE_SQL=1.
if (process.env['PROFILE_SQL']) {
  const all = engine.all.bind(engine);
  engine.all = async (sql: string, ...rest: unknown[]) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await (all as (...a: unknown[]) => Promise<never>)(sql, ...rest);
    const c = process.cpuUsage(c0);
    console.log(`${Math.round(performance.now() - t0)} ms wall, ${Math.round((c.user + c.system) / 1000)} ms CPU: ${sql.slice(0, Number(process.env['PROFILE_SQL']))}`);
    return out;
  };
}
const input = { dataDir, parts: catalog.parts, staged: [], chunksOf: (p: (typeof catalog.parts)[number]) => indexes.chunksOf(p), pages: new PartPagesCache() };
const wall: number[] = [];
const cpu: number[] = [];
let last;
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  last = await searchLogs(engine, input, { query: parseLogQuery(query), limit: 100 });
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({ query, runs, wallMsP50: Math.round(p50(wall)), cpuMsP50: Math.round(p50(cpu)), first: Math.round(wall[0]!), hits: last!.records.length, stats: last!.stats }));
