import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baselineEntryName, compareWithBaseline, metric, percentile, writeBaseline, type SuiteReport } from './report.js';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-bench-report-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const run = (spans: number, value: number): SuiteReport => ({
  key: 'traces',
  config: { spans },
  metrics: [metric('ingest-spans-per-s', value, 'spans/s'), metric('only-now', 1)],
  peer: { key: 'clickhouse', version: 'x', metrics: [metric('table-bytes-per-span', 70)], ratios: [metric('bytes-per-span', 0.5)] },
});

describe('bench report', () => {
  it('takes nearest-rank percentiles and NaN of nothing', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 0.5), 50);
    assert.equal(percentile(values, 0.99), 99);
    assert.equal(percentile(values, 1), 100);
    assert.equal(percentile([7], 0.5), 7);
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });

  it('compares a run only with the baseline entry of the same suite and span count', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'baseline.json');
      writeBaseline(path, [run(1000, 200), run(5000, 900)]);
      const compared = compareWithBaseline(run(1000, 250), path);
      assert.equal(compared.comparedWith, 'traces@1000');
      assert.deepEqual(compared.metrics[0], { key: 'ingest-spans-per-s', value: 250, unit: 'spans/s', baseline: 200, deltaPct: 25 });
      assert.equal(compared.metrics[1]!.baseline, 1, 'a metric present in both is compared');
      assert.equal(compared.peer?.ratios[0]!.deltaPct, 0);
      const unknownSize = compareWithBaseline(run(42, 1), path);
      assert.equal(unknownSize.comparedWith, undefined);
      assert.equal(unknownSize.metrics[0]!.baseline, undefined);
    });
  });

  it('rewrites only the entries of the suites it is given, without the comparison fields', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'baseline.json');
      writeBaseline(path, [run(1000, 200), { key: 'wal', metrics: [metric('mb-per-s', 300)] }]);
      writeBaseline(path, [compareWithBaseline(run(1000, 300), path)]);
      const file = JSON.parse(await readFile(path, 'utf8')) as { runs: Record<string, SuiteReport> };
      assert.deepEqual(Object.keys(file.runs).sort(), ['traces@1000', 'wal']);
      assert.deepEqual(file.runs['traces@1000']!.metrics[0], { key: 'ingest-spans-per-s', value: 300, unit: 'spans/s' });
      assert.equal(file.runs['traces@1000']!.comparedWith, undefined);
      assert.equal(baselineEntryName(file.runs['wal']!), 'wal');
    });
  });
});
