// Request id lookups through a server of this checkout over a kept logs folder
// (bench/keep-logs-data.ts); not part of the suite:
//   node --import tsx bench/server-log-lookups.ts <dataDir> <records> [lookups]
// Prints the p50 / p90 ms, the server's CPU ms a lookup and the other load.
import { ServerProcess } from './server-process.js';
import { accountCpu } from './cpu-account.js';
import { logRecord } from './logs-dataset.js';
import { seededRandom } from '../src/model/seeded-random.js';

const [dataDir, recordsText, lookupsText] = process.argv.slice(2);
if (!dataDir || !recordsText) throw new Error('usage: server-log-lookups <dataDir> <records> [lookups]');
const records = Number(recordsText);
const pick = seededRandom(18);
const ids = Array.from({ length: Number(lookupsText ?? 200) }, () => String(logRecord(1, Math.floor(pick() * records), records)['req_id']));
const server = await ServerProcess.start(dataDir);
const lookup = async (id: string): Promise<number> => {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.ports.http}/api/v1/logs?query=${encodeURIComponent(id)}&limit=10`);
  const answer = (await res.json()) as { records: unknown[] };
  if (answer.records.length === 0) throw new Error(`no record of ${id}`);
  return performance.now() - t0;
};
for (const id of ids.slice(0, 20)) await lookup(id);
const ms: number[] = [];
const { cpu } = await accountCpu(server.pid, async () => {
  for (const id of ids) ms.push(await lookup(id));
});
await server.stop(60_000);
ms.sort((a, b) => a - b);
const r = (x: number): number => Math.round(x * 10) / 10;
console.log(JSON.stringify({ lookups: ms.length, p50Ms: r(ms[Math.floor(ms.length / 2)]!), p90Ms: r(ms[Math.floor(ms.length * 0.9)]!), cpuMsPerLookup: r((cpu.cpuS * 1000) / ms.length), otherCores: r(cpu.otherCores) }));
process.exit(0);
