// One trace flush job, captured once and replayed in one thread by one or
// more builds (not part of the suite):
//   node dist/bench/flush-replay.js capture <dir> [spans]
//   node dist/bench/flush-replay.js replay <dir> <rounds> <build root>...
// `capture` stages loadgen spans under <dir> as the flush bench does and
// saves the job the flush hands its worker (<dir>/job.bin, v8 serialized).
// `replay` runs writeSortedRuns of each build's dist/ on that job in this
// thread, the builds in turn and their order alternating round by round, so
// that base and change see the same machine; it prints this thread's CPU
// (/proc/thread-self/schedstat) and the process's per round, and writes each
// build's parts, cubes, summaries and rollups of its first round under
// <dir>/out/<build n>/ for `cmp` (docs/storage.md, session 15).

import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { Engine } from '../src/engine/duckdb.js';
import { TRACE_PART_LAYOUT, writeParts } from '../src/parts/part-writer.js';
import { stagedSource } from '../src/store/signal-store.js';
import type { SortedRunJob, SortedRunResult } from '../src/parts/sorted-run.js';
import { stageLoadgenSpans } from './flush.js';

async function capture(dir: string, spans: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { files, spans: staged } = await stageLoadgenSpans(dir, spans, 1);
  // the job is the one message the flush posts to its worker
  const post = Worker.prototype.postMessage;
  let jobs = 0;
  Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: readonly never[]) {
    writeFileSync(join(dir, 'job.bin'), serialize(message));
    jobs++;
    return post.call(this, message, transfer);
  };
  const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '1GB' });
  try {
    await writeParts(engine, dir, TRACE_PART_LAYOUT, stagedSource(files), 0);
  } finally {
    engine.close();
    Worker.prototype.postMessage = post;
  }
  if (jobs !== 1) throw new Error(`flush-replay: ${jobs} jobs posted, expected 1`);
  console.log(JSON.stringify({ dir, spans: staged, stagingFiles: files.length }));
}

type WriteSortedRuns = (job: SortedRunJob) => SortedRunResult;

interface Build {
  root: string;
  writeSortedRuns: WriteSortedRuns;
  loadPageCodec(codec: unknown): Promise<void>;
}

async function loadBuild(root: string): Promise<Build> {
  const dist = (p: string): string => pathToFileURL(resolve(root, 'dist/src/parts', p)).href;
  const { writeSortedRuns } = (await import(dist('sorted-run.js'))) as { writeSortedRuns: WriteSortedRuns };
  const { loadPageCodec } = (await import(dist('parquet/compression.js'))) as { loadPageCodec(codec: unknown): Promise<void> };
  return { root, writeSortedRuns, loadPageCodec };
}

/** CPU ns of the calling thread. */
function threadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

function processCpuNs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1000;
}

/** `job` with its outputs (runs and their companions) under `outDir`. */
function jobWritingTo(job: SortedRunJob, outDir: string): SortedRunJob {
  const moved = (p: string): string => join(outDir, basename(p));
  const runs = job.runs.map((r) => ({ ...r, outPath: moved(r.outPath) }));
  const paths = (o: { paths: string[] } | undefined): { paths: string[] } | undefined => o && { ...o, paths: o.paths.map(moved) };
  return {
    ...job,
    runs,
    ...(job.spanCubes ? { spanCubes: { ...job.spanCubes, ...paths(job.spanCubes) } } : {}),
    ...(job.traceSummaries ? { traceSummaries: { ...job.traceSummaries, ...paths(job.traceSummaries) } } : {}),
    ...(job.rollups ? { rollups: { ...job.rollups, ...paths(job.rollups) } } : {}),
  } as SortedRunJob;
}

async function replay(dir: string, rounds: number, roots: string[]): Promise<void> {
  const job = deserialize(readFileSync(join(dir, 'job.bin'))) as SortedRunJob;
  const rows = job.runs.reduce((n, r) => n + ('rows' in r ? r.rows.length : 0), 0);
  const builds: Build[] = [];
  for (const root of roots) {
    const b = await loadBuild(root);
    await b.loadPageCodec(job.write?.codec);
    for (const codec of Object.values(job.write?.columnCodecs ?? {})) await b.loadPageCodec(codec);
    builds.push(b);
  }
  const perMillion = 1e6 / rows;
  for (let round = 0; round < rounds; round++) {
    const order = builds.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const outDir = join(dir, 'out', String(i));
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });
      const t0 = threadCpuNs();
      const p0 = processCpuNs();
      builds[i]!.writeSortedRuns(jobWritingTo(job, outDir));
      const threadMs = ((threadCpuNs() - t0) / 1e6) * perMillion;
      const processMs = ((processCpuNs() - p0) / 1e6) * perMillion;
      console.log(JSON.stringify({ round, build: i, root: builds[i]!.root, threadMsPerMillion: Math.round(threadMs), processMsPerMillion: Math.round(processMs) }));
      if (round > 0) continue;
      // first round's outputs kept for cmp (a later round writes them again into a fresh folder)
      const keep = join(dir, 'first', String(i));
      rmSync(keep, { recursive: true, force: true });
      mkdirSync(keep, { recursive: true });
      for (const f of readdirSync(outDir)) writeFileSync(join(keep, f), readFileSync(join(outDir, f)));
    }
  }
}

const [command, dir, ...rest] = process.argv.slice(2);
if (command === 'capture' && dir) await capture(dir, Number(rest[0] ?? 1_000_000));
else if (command === 'replay' && dir && rest.length >= 2) await replay(dir, Number(rest[0]), rest.slice(1));
else {
  console.error('usage: flush-replay capture <dir> [spans] | replay <dir> <rounds> <build root>...');
  process.exitCode = 2;
}
