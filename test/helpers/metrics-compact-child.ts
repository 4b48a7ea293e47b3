// Child process for the compaction crash test: opens a metrics store over the
// folder given as argv[2] and compacts it, saying "compacting" and "done".

import { MetricsStore } from '../../src/tsdb/metrics-store.js';
import { SCRAPE_BLOCK_SPAN_MS, testStoreOptions } from '../../src/tsdb/store-test-helpers.js';

const store = await MetricsStore.open(testStoreOptions(process.argv[2]!, { blockMaxSpanMs: SCRAPE_BLOCK_SPAN_MS }));
process.stdout.write('compacting\n');
const merges = await store.compact();
process.stdout.write(`done ${merges}\n`);
await store.close();
