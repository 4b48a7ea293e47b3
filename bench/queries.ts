// Query phase of the traces bench, over the server's HTTP API: trace by id
// for known ids (checking each answer has every span) and a few TraceQL
// searches over the whole dataset. One request at a time: these are latencies.

import { accountCpu } from './cpu-account.js';
import { median, percentile } from './report.js';
import type { KnownTrace } from './part-reader.js';
import type { ServerProcess } from './server-process.js';

export interface LookupStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** answers whose span count differed from the parts' (should be 0) */
  wrong: number;
  /** CPU ms of the answering process per lookup (filled by the caller) */
  cpuMsPerLookup?: number;
  /** cores other work took during the pass (filled by the caller) */
  otherCores?: number;
}

interface TraceResponse {
  batches: { scopeSpans: { spans: unknown[] }[] }[];
}

export function latencyStats(ms: readonly number[], wrong: number): LookupStats {
  return { count: ms.length, p50Ms: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99), maxMs: Math.max(...ms), wrong };
}

/** GET /api/traces/<id> for each trace in order; latencies in ms. */
export async function lookupTraces(server: ServerProcess, traces: readonly KnownTrace[]): Promise<LookupStats> {
  const ms: number[] = [];
  let wrong = 0;
  for (const t of traces) {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${server.ports.http}/api/traces/${t.id}`);
    const body = (await res.json()) as TraceResponse;
    ms.push(performance.now() - t0);
    let spans = 0;
    for (const b of body.batches ?? []) for (const s of b.scopeSpans) spans += s.spans.length;
    if (!res.ok || spans !== t.spans) wrong++;
  }
  return latencyStats(ms, wrong);
}

export interface SearchCase {
  key: string;
  traceql: string;
}

export interface SearchStats {
  key: string;
  traceql: string;
  /** the first run of the query on this server */
  firstMs: number;
  /** median of the following runs */
  warmMs: number;
  traces: number;
  /** CPU ms of the answering process per warm run (machine load does not change it as much as latency) */
  cpuMsPerSearch?: number;
}

export const SEARCH_LIMIT = 20;

export function searchCases(spanName: string): SearchCase[] {
  return [
    { key: 'service-errors', traceql: '{ resource.service.name = "cart" && status = error }' },
    { key: 'route-slow', traceql: '{ span.http.route = "/api/cart" && duration > 200ms }' },
    { key: 'span-name', traceql: `{ name = ${JSON.stringify(spanName)} }` },
    // Grafana's default search: every trace, newest first
    { key: 'all-traces', traceql: '{ }' },
  ];
}

export async function runSearches(server: ServerProcess, cases: readonly SearchCase[], warmRuns: number): Promise<SearchStats[]> {
  const out: SearchStats[] = [];
  for (const c of cases) {
    const ms: number[] = [];
    let traces = 0;
    const once = async (): Promise<void> => {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${server.ports.http}/api/search?limit=${SEARCH_LIMIT}&q=${encodeURIComponent(c.traceql)}`);
      const body = (await res.json()) as { traces?: unknown[]; error?: string };
      ms.push(performance.now() - t0);
      if (!res.ok) throw new Error(`bench: search ${c.traceql} answered ${res.status}: ${body.error ?? ''}`);
      traces = body.traces?.length ?? 0;
    };
    await once();
    const { cpu } = await accountCpu(server.pid, async () => {
      for (let run = 0; run < warmRuns; run++) await once();
    });
    out.push({ key: c.key, traceql: c.traceql, firstMs: ms[0]!, warmMs: median(ms.slice(1)), traces, cpuMsPerSearch: (cpu.cpuS * 1000) / Math.max(1, warmRuns) });
  }
  return out;
}
