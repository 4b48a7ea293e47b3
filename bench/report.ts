// The one JSON shape every suite prints, plus the small statistics and the
// baseline comparison shared by the suites:
//   {"key":"<suite>","metrics":[{"key":"…","value":…,"unit":"…"}],"peer":{…}}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Metric {
  key: string;
  value: number;
  unit?: string;
  /** the target, for reading only: the bench never fails on it */
  target?: string;
  /** filled in compare mode when the baseline has the same metric */
  baseline?: number;
  deltaPct?: number;
}

export interface PeerReport {
  key: string;
  version: string;
  metrics: Metric[];
  /** ours / peer; below 1 means we need less (bytes) or answer faster (latency) */
  ratios: Metric[];
  detail?: Record<string, unknown>;
}

export interface SuiteReport {
  key: string;
  metrics: Metric[];
  peer?: PeerReport;
  /** what was run (span count, pool size…): a baseline only compares like with like */
  config?: Record<string, number | string | boolean>;
  detail?: Record<string, unknown>;
  /** name of the baseline entry used for the deltas */
  comparedWith?: string;
}

/** Rounds to a few significant decimals so the JSON stays readable. */
export function round(x: number, decimals = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

export function metric(key: string, value: number, unit?: string, target?: string): Metric {
  const m: Metric = { key, value: round(value, Math.abs(value) < 10 ? 3 : 2) };
  if (unit !== undefined) m.unit = unit;
  if (target !== undefined) m.target = target;
  return m;
}

/** Nearest-rank percentile of `values` (q in 0..1); NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** `{"runs":{"traces@1000000":{…suite line…}}}`; entries are keyed by suite and size. */
interface BaselineFile {
  note: string;
  runs: Record<string, SuiteReport>;
}

export function baselineEntryName(report: SuiteReport): string {
  const size = report.config?.['spans'];
  return size === undefined ? report.key : `${report.key}@${size}`;
}

function readBaseline(path: string): BaselineFile {
  if (!existsSync(path)) return { note: '', runs: {} };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<BaselineFile>;
  return { note: parsed.note ?? '', runs: parsed.runs ?? {} };
}

/** Adds `baseline` and `deltaPct` to each metric the baseline also has (same suite and size). */
export function compareWithBaseline(report: SuiteReport, path: string): SuiteReport {
  const name = baselineEntryName(report);
  const base = readBaseline(path).runs[name];
  if (!base) return report;
  const annotate = (ours: Metric[], theirs: Metric[] | undefined): Metric[] =>
    ours.map((m) => {
      const b = theirs?.find((x) => x.key === m.key);
      if (!b || !Number.isFinite(b.value)) return m;
      const out: Metric = { ...m, baseline: b.value };
      if (b.value !== 0) out.deltaPct = round(((m.value - b.value) / Math.abs(b.value)) * 100, 1);
      return out;
    });
  const out: SuiteReport = { ...report, metrics: annotate(report.metrics, base.metrics), comparedWith: name };
  if (report.peer) {
    out.peer = { ...report.peer, metrics: annotate(report.peer.metrics, base.peer?.metrics), ratios: annotate(report.peer.ratios, base.peer?.ratios) };
  }
  return out;
}

/** Stores `reports` in the baseline file, replacing entries of the same suite and size. */
export function writeBaseline(path: string, reports: readonly SuiteReport[]): void {
  const file = readBaseline(path);
  file.note = 'written by `node dist/bench/main.js --write-baseline`; compared by --compare (entries keyed suite@spans)';
  for (const r of reports) {
    const clean: SuiteReport = { ...r, metrics: r.metrics.map(stripComparison) };
    delete clean.comparedWith;
    if (r.peer) clean.peer = { ...r.peer, metrics: r.peer.metrics.map(stripComparison), ratios: r.peer.ratios.map(stripComparison) };
    file.runs[baselineEntryName(r)] = clean;
  }
  // One line per entry: diffs of the committed file show which suite moved.
  const entries = Object.entries(file.runs).map(([name, r]) => `    ${JSON.stringify(name)}: ${JSON.stringify(r)}`);
  writeFileSync(path, `{\n  "note": ${JSON.stringify(file.note)},\n  "runs": {\n${entries.join(',\n')}\n  }\n}\n`);
}

function stripComparison(m: Metric): Metric {
  const { baseline: _b, deltaPct: _d, ...rest } = m;
  return rest;
}
