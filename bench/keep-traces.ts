// The traces bench's spans (the load generator's shop traffic, as bench/analysis-dataset.ts
// ingests and compacts them) kept in a data folder, for bench/lookup-profile.ts and
// bench/server-lookups.ts; not part of the suite:
//   node --import tsx bench/keep-traces.ts <dataDir> <spans>
import { ensureDataset } from './analysis-dataset.js';
const [dataDir, spans] = process.argv.slice(2);
const d = await ensureDataset({ spans: Number(spans), seed: 1, dataDir: dataDir! });
console.error(JSON.stringify({ parts: d.parts.length, spans: d.spans, ms: d.ingestMs }));
process.exit(0);
