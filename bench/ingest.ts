// Ingest phase of the traces bench: the loadgen sender runs in this process
// (the server in its own), N clients post ~1000-span OTLP/protobuf requests
// over loopback and count a request only when it is acknowledged (durable in
// the WAL with default settings). Once a second the server's RSS/CPU and its
// head/part counters are sampled: the timeline shows where ingest waits.

import { buildRequestPool } from '../src/loadgen/request-pool.js';
import { Rng } from '../src/loadgen/rng.js';
import { sendPool, type LoadSummary } from '../src/loadgen/sender.js';
import { encodeExportTraceServiceRequest } from '../src/receive/otlp-proto-encode.js';
import { machineBusySeconds, sampleProc, type ProcSample, type ServerProcess } from './server-process.js';

export interface IngestOptions {
  spans: number;
  concurrency: number;
  spansPerRequest: number;
  /** distinct requests generated up front; the data repeats (with fresh ids and times) every pool cycle */
  poolSize: number;
  seed: number;
  /** stop sending after this long even if not all spans went out */
  timeLimitMs: number;
  /** print a progress line to stderr this often */
  progressEveryMs: number;
}

export interface StoreStatus {
  headPendingRows: number;
  headStagedRows: number;
  parts: number;
  partRows: number;
  partBytes: number;
}

export interface TimelinePoint {
  atS: number;
  /** spans the server holds: head + parts */
  serverSpans: number;
  rssMiB: number;
  cpuCores: number;
  headSpans: number;
  parts: number;
  /** how long /api/v1/status took: event-loop stalls in the server show here */
  statusMs: number;
}

export interface IngestResult {
  summary: LoadSummary;
  poolSpans: number;
  poolBytes: number;
  poolBuildMs: number;
  /** VmHWM right after the last acknowledged request */
  peakRssBytes: number;
  serverCpuCores: number;
  clientCpuCores: number;
  /** busy cores of the whole machine minus server and client: other work competing for the CPU */
  otherCpuCores: number;
  timeline: TimelinePoint[];
  maxStatusMs: number;
}

const MIB = 1024 * 1024;

async function status(server: ServerProcess): Promise<{ s: StoreStatus; ms: number } | undefined> {
  const t0 = performance.now();
  try {
    const s = await server.getJson<StoreStatus>('/api/v1/status');
    return { s, ms: performance.now() - t0 };
  } catch {
    return undefined;
  }
}

export async function runIngest(server: ServerProcess, o: IngestOptions): Promise<IngestResult> {
  const t0 = performance.now();
  const pool = buildRequestPool({
    encode: encodeExportTraceServiceRequest,
    requests: o.poolSize,
    spansPerRequest: o.spansPerRequest,
    rng: new Rng(o.seed),
    nowUnixNano: BigInt(Date.now()) * 1_000_000n,
  });
  const poolBuildMs = performance.now() - t0;
  let poolSpans = 0;
  let poolBytes = 0;
  for (const r of pool) {
    poolSpans += r.spans;
    poolBytes += r.body.length;
  }
  const spansPerPooledRequest = poolSpans / pool.length;
  const maxRequests = Math.max(1, Math.round(o.spans / spansPerPooledRequest));
  console.error(
    `bench: pool of ${pool.length} requests (${poolSpans} spans, ${(poolBytes / poolSpans).toFixed(0)} B/span) built in ${(poolBuildMs / 1000).toFixed(1)} s; ` +
      `sending ${maxRequests} requests with ${o.concurrency} clients`,
  );

  const timeline: TimelinePoint[] = [];
  const startedAt = performance.now();
  const clientCpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const first = sampleProc(server.pid);
  let previous: ProcSample | undefined = first;
  let lastPrint = startedAt;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((r) => setTimeout(r, 1000));
      const p = sampleProc(server.pid);
      const st = await status(server);
      if (!p || !previous) continue;
      const point: TimelinePoint = {
        atS: Math.round((p.atMs - startedAt) / 100) / 10,
        serverSpans: st ? st.s.headPendingRows + st.s.headStagedRows + st.s.partRows : NaN,
        rssMiB: Math.round(p.rssBytes / MIB),
        cpuCores: Math.round(((p.cpuSeconds - previous.cpuSeconds) / ((p.atMs - previous.atMs) / 1000)) * 100) / 100,
        headSpans: st ? st.s.headPendingRows + st.s.headStagedRows : NaN,
        parts: st ? st.s.parts : NaN,
        statusMs: st ? Math.round(st.ms) : NaN,
      };
      previous = p;
      timeline.push(point);
      if (p.atMs - lastPrint >= o.progressEveryMs) {
        lastPrint = p.atMs;
        console.error(
          `bench: t=${point.atS}s server holds ${point.serverSpans} spans (head ${point.headSpans}, ${point.parts} parts), ` +
            `rss ${point.rssMiB} MiB, cpu ${point.cpuCores} cores, status answered in ${point.statusMs} ms`,
        );
      }
    }
  })();

  let summary: LoadSummary;
  try {
    summary = await sendPool({
      endpoint: `http://127.0.0.1:${server.ports.otlpHttp}/v1/traces`,
      pool,
      concurrency: o.concurrency,
      spansPerSecond: 0,
      durationMs: o.timeLimitMs,
      maxRequests,
      seed: o.seed + 1,
    });
  } finally {
    sampling = false;
    await sampler;
  }
  const end = sampleProc(server.pid);
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const machineBusy = machineBusySeconds() - machineBefore;
  const wallS = (performance.now() - startedAt) / 1000;
  const serverCpuS = end && first ? end.cpuSeconds - first.cpuSeconds : NaN;
  const clientCpuS = (clientCpu.user + clientCpu.system) / 1e6;
  return {
    summary,
    poolSpans,
    poolBytes,
    poolBuildMs,
    peakRssBytes: end?.hwmBytes ?? NaN,
    serverCpuCores: serverCpuS / wallS,
    clientCpuCores: clientCpuS / wallS,
    otherCpuCores: Math.max(0, machineBusy - serverCpuS - clientCpuS) / wallS,
    timeline,
    maxStatusMs: Math.max(0, ...timeline.map((t) => (Number.isFinite(t.statusMs) ? t.statusMs : 0))),
  };
}
