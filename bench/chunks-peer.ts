// The peer of bench/chunks.ts: Prometheus's own block for the very same
// samples. The samples are written as OpenMetrics text, `promtool tsdb
// create-blocks-from openmetrics` builds the block(s), and the figure is the
// size of the blocks' chunks/ files over the samples in their meta.json.

import { execFile } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDir, trackDir } from './cleanup.js';
import type { Dataset } from './chunks-dataset.js';

const run = promisify(execFile);

export interface PeerFigures {
  version: string;
  samples: number;
  chunks: number;
  /** every file under chunks/ of the blocks */
  chunkFileBytes: number;
  /** only the XOR chunk payloads (no segment header, length, encoding byte or CRC) */
  chunkDataBytes: number;
}

/** `name{labels}` of a series, with the scraped target's host:port added as `instance` unless it has one. */
function openMetricsSeries(key: string): string {
  const bar = key.indexOf('|');
  const series = key.slice(bar + 1);
  const brace = series.indexOf('{');
  if (/[{,]instance="/.test(series)) return series;
  const instance = `instance="${new URL(key.slice(0, bar)).host}"`;
  if (brace < 0) return `${series}{${instance}}`;
  const inner = series.slice(brace + 1, -1);
  return `${series.slice(0, brace)}{${inner}${inner === '' ? '' : ','}${instance}}`;
}

function openMetricsValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Object.is(v, -0) ? '-0' : String(v);
}

async function writeOpenMetrics(data: Dataset, path: string): Promise<void> {
  const out = createWriteStream(path);
  for (const s of data.series) {
    const name = openMetricsSeries(s.key);
    const lines: string[] = [];
    for (let i = 0; i < s.values.length; i++) lines.push(`${name} ${openMetricsValue(s.values[i]!)} ${(s.timestampsMs[i]! / 1000).toFixed(3)}\n`);
    if (!out.write(lines.join(''))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.write('# EOF\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Sums a block chunk segment: 8-byte header, then per chunk uvarint len | encoding u8 | data | crc32. */
function chunkSegmentData(buf: Buffer): { chunks: number; dataBytes: number } {
  let pos = 8;
  let chunks = 0;
  let dataBytes = 0;
  while (pos < buf.length) {
    let len = 0;
    let shift = 1;
    for (;;) {
      const b = buf[pos++]!;
      len += (b & 127) * shift;
      if (b < 128) break;
      shift *= 128;
    }
    if (len === 0) break; // zero padding at the end of a segment
    chunks++;
    dataBytes += len;
    pos += 1 + len + 4;
  }
  return { chunks, dataBytes };
}

export async function prometheusPeer(data: Dataset): Promise<PeerFigures> {
  const dir = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-chunks-')));
  try {
    const input = join(dir, 'samples.om');
    const out = join(dir, 'blocks');
    await writeOpenMetrics(data, input);
    const { stdout: versionText } = await run('promtool', ['--version']);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, out], { maxBuffer: 64 << 20 });
    const figures: PeerFigures = { version: versionText.split('\n')[0]!.trim(), samples: 0, chunks: 0, chunkFileBytes: 0, chunkDataBytes: 0 };
    for (const block of readdirSync(out)) {
      const meta = JSON.parse(readFileSync(join(out, block, 'meta.json'), 'utf8')) as { stats: { numSamples: number } };
      figures.samples += meta.stats.numSamples;
      for (const file of readdirSync(join(out, block, 'chunks'))) {
        const path = join(out, block, 'chunks', file);
        figures.chunkFileBytes += statSync(path).size;
        const { chunks, dataBytes } = chunkSegmentData(readFileSync(path));
        figures.chunks += chunks;
        figures.chunkDataBytes += dataBytes;
      }
    }
    return figures;
  } finally {
    removeDir(dir);
  }
}
