// The logs bench's records (bench/logs-dataset.ts, seed 1) ingested into a kept
// data folder through a server, for the in-process search profiles
// (bench/logs-search-profile.ts, bench/logs-lookup-chunks.ts); not part of the suite:
//   node --import tsx bench/keep-logs-data.ts <dataDir> <records>
import { ndjsonLines } from './logs-dataset.js';
import { ServerProcess } from './server-process.js';
const [dataDir, nText] = process.argv.slice(2);
const n = Number(nText);
const server = await ServerProcess.start(dataDir!);
const url = `http://127.0.0.1:${server.ports.http}/api/v1/ingest/app?time_field=ts`;
let next = 0;
const worker = async (): Promise<void> => {
  for (;;) {
    const i = next;
    if (i >= n) return;
    next += 5000;
    const body = ndjsonLines(1, i, Math.min(n, i + 5000), n);
    for (;;) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      await res.arrayBuffer();
      if (res.status === 200) break;
      if (res.status !== 503 && res.status !== 429) throw new Error(String(res.status));
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (i % 500_000 === 0) console.error(i);
  }
};
await Promise.all([worker(), worker(), worker(), worker()]);
console.error(await server.stop(1_800_000));
process.exit(0);
