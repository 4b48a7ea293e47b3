// Trace lookups through a server of this checkout over a kept traces folder
// (bench/keep-traces.ts), to compare checkouts on the same parts; not part of the suite:
//   node --import tsx bench/server-lookups.ts <dataDir> [lookups]
// Prints the p50 / p99 ms and the server's CPU ms a lookup (50 warm lookups first).
import { join } from 'node:path';
import { readCatalog } from './storage.js';
import { PartReader } from './part-reader.js';
import { ServerProcess } from './server-process.js';
import { lookupTraces } from './queries.js';
import { accountCpu } from './cpu-account.js';
const [dataDir, nText] = process.argv.slice(2);
const catalog = await readCatalog(dataDir!);
const reader = await PartReader.open();
const traces = await reader.sampleTraces(catalog.parts.map((p) => join(dataDir!, p.path)), Number(nText ?? 300), 1);
reader.close();
const server = await ServerProcess.start(dataDir!);
await lookupTraces(server, traces.slice(0, 50));
const { value, cpu } = await accountCpu(server.pid, () => lookupTraces(server, traces));
console.log(JSON.stringify({ p50: value.p50Ms, p99: value.p99Ms, wrong: value.wrong, cpuMsPerLookup: (cpu.cpuS * 1000) / traces.length, otherCores: cpu.otherCores }));
await server.stop(60_000);
process.exit(0);
