// In-process profile of request id lookups over a kept logs data folder (not part of the suite):
//   node --import tsx bench/logs-lookup-chunks.ts <dataDir> <records> [lookups] [seed]
// For sampled records' request ids (bench/logs-dataset.ts, seed 1): the
// candidate chunks the token index keeps (true: the id is in them; false:
// a false positive), the CPU ms of testing each from its pages (scanRows,
// as the search does), and which columns a false chunk's test spends on;
// and the CPU ms of each lookup (searchLogs, limit 10, 3 runs each).
import { readCatalog } from './storage.js';
import { LogTokenIndexes } from '../src/store/log-token-store.js';
import { planLogScan, searchLogs } from '../src/query/logs/log-search.js';
import { Engine } from '../src/engine/duckdb.js';
import { parseLogQuery } from '../src/query/logs/log-query.js';
import { PartPagesCache, scanRows } from '../src/query/part-pages.js';
import { isSearchableLogColumn, wordValueTests } from '../src/query/logs/log-sql.js';
import { logRecord } from './logs-dataset.js';
import { seededRandom } from '../src/model/seeded-random.js';

const [dataDir, recordsText, lookupsText, seedText] = process.argv.slice(2);
if (!dataDir || !recordsText) throw new Error('usage: logs-lookup-chunks <dataDir> <records> [lookups] [seed]');
const records = Number(recordsText);
const lookups = Number(lookupsText ?? 50);
const catalog = await readCatalog(dataDir, 'logs');
const indexes = new LogTokenIndexes(dataDir);
const pages = new PartPagesCache();
const input = { dataDir, parts: catalog.parts, staged: [], chunksOf: (p: (typeof catalog.parts)[number]) => indexes.chunksOf(p), pages };
const pick = seededRandom(Number(seedText ?? 1) + 17);
const cpuMs = (f: () => Promise<unknown>) => async (): Promise<number> => {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
let chunks = 0;
let trueChunks = 0;
let falseChunks = 0;
const trueMs: number[] = [];
const falseMs: number[] = [];
const byColumn = new Map<string, number>();
const lookupMs: number[] = [];
const engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '1GB' });
// warm: footers and the index
for (const p of catalog.parts) await indexes.chunksOf(p);
for (let k = 0; k < lookups; k++) {
  const word = String(logRecord(1, Math.floor(pick() * records), records)['req_id']).toLowerCase();
  for (let run = 0; run < 3; run++) lookupMs.push(await cpuMs(() => searchLogs(engine, input, { query: parseLogQuery(word), limit: 10 }))());
  const plan = await planLogScan(input, { query: parseLogQuery(word) }, 'newest');
  chunks += plan.units.length + plan.chunksSkipped;
  for (const u of plan.units) {
    const part = pages.get(u.path);
    const fileColumns = new Set(u.fileColumns);
    const tests = [...u.columns].filter(isSearchableLogColumn).sort().flatMap((c) => wordValueTests(c, word, fileColumns));
    let rows: number[] = [];
    const ms = await cpuMs(async () => (rows = await scanRows(part, u.rows!.first, u.rows!.last, tests)))();
    if (rows.length > 0) {
      trueChunks++;
      trueMs.push(ms);
    } else {
      falseChunks++;
      falseMs.push(ms);
      for (const t of tests) byColumn.set(t.column, (byColumn.get(t.column) ?? 0) + (await cpuMs(() => scanRows(part, u.rows!.first, u.rows!.last, [t]))()));
    }
  }
}
const p50 = (xs: number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : 0);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const r = (x: number): number => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    parts: catalog.parts.length,
    lookupCpuMs: { p50: r(p50(lookupMs)), mean: r(sum(lookupMs) / lookupMs.length) },
    chunksPerLookup: r(chunks / lookups),
    trueChunksPerLookup: r(trueChunks / lookups),
    falseChunksPerLookup: r(falseChunks / lookups),
    falseRate: r((100 * falseChunks) / (chunks - trueChunks)),
    trueChunkCpuMs: { p50: r(p50(trueMs)), mean: r(sum(trueMs) / trueMs.length) },
    falseChunkCpuMs: { p50: r(p50(falseMs)), mean: r(sum(falseMs) / falseMs.length) },
    falseChunkCpuMsByColumn: Object.fromEntries([...byColumn].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([c, ms]) => [c, r(ms / Math.max(1, falseChunks))])),
  }),
);
