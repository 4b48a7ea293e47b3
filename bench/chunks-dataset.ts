// The real metric samples bench/chunks.ts encodes: scraped from node_exporter
// (and any other Prometheus target) every second by a small scraper that
// parses the text exposition format, kept as a gzip'd JSON-lines fixture.
//
// Fixture layout (bench/fixtures/node-exporter-1s.jsonl.gz):
//   line 1: {"note":…,"intervalMs":1000,"targets":[…],"timestampsMs":[t0, t1, …]}   one entry per scrape
//   then one line per series: {"s":"<target>|name{labels}","from":<scrape index>,"v":[…]}
// `v[k]` is the value at scrape `from + k`: a JSON number, "NaN", "+Inf",
// "-Inf", or null when the series was absent from that scrape. JSON numbers
// are written in JavaScript's shortest round-trip form, so every value reads
// back bit for bit as the float the scraper parsed.

import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface Series {
  key: string;
  timestampsMs: Float64Array;
  values: Float64Array;
}

export interface Dataset {
  intervalMs: number;
  targets: string[];
  scrapeTimestampsMs: number[];
  series: Series[];
}

type FixtureValue = number | 'NaN' | '+Inf' | '-Inf' | '-0' | null;

/** Calls `onSample` for each sample line of a text-format exposition; comments and blank lines are skipped. */
export function parseExposition(text: string, onSample: (seriesKey: string, value: number) => void): void {
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const keyEnd = seriesKeyEnd(line);
    const rest = line.slice(keyEnd).trim().split(/\s+/);
    const value = parseSampleValue(rest[0] ?? '');
    if (value === undefined) throw new Error(`chunks-bench: bad sample value in line ${JSON.stringify(line)}`);
    onSample(line.slice(0, keyEnd), value);
  }
}

/** End of `name` or `name{labels}`; label values are quoted and may hold spaces, braces and escaped quotes. */
function seriesKeyEnd(line: string): number {
  const brace = line.indexOf('{');
  const space = line.search(/\s/);
  if (brace < 0 || (space >= 0 && space < brace)) return space < 0 ? line.length : space;
  let inQuotes = false;
  for (let i = brace + 1; i < line.length; i++) {
    const c = line[i];
    if (inQuotes && c === '\\') i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c === '}') return i + 1;
  }
  throw new Error(`chunks-bench: unterminated label set in line ${JSON.stringify(line)}`);
}

function parseSampleValue(token: string): number | undefined {
  if (token === 'NaN') return NaN;
  if (token === '-0') return -0;
  if (token === '+Inf' || token === 'Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  const v = Number(token);
  return token === '' || Number.isNaN(v) ? undefined : v;
}

/**
 * Scrapes every target once per `intervalMs` for `seconds`, on a fixed grid
 * (like Prometheus's scrape loop, no drift); a sample's timestamp is the
 * scrape's start in ms, with whatever jitter the timer had.
 */
export async function collect(targets: string[], seconds: number, intervalMs = 1000): Promise<Dataset> {
  const scrapeTimestampsMs: number[] = [];
  const byKey = new Map<string, { from: number; values: (number | null)[] }>();
  const start = Math.ceil(Date.now() / intervalMs) * intervalMs;
  const scrapes = Math.round((seconds * 1000) / intervalMs);
  for (let k = 0; k < scrapes; k++) {
    await sleep(start + k * intervalMs - Date.now());
    const tMs = Date.now();
    const bodies = await Promise.all(targets.map(async (url) => (await fetch(url)).text()));
    const scrapeIndex = scrapeTimestampsMs.push(tMs) - 1;
    bodies.forEach((body, targetIndex) =>
      parseExposition(body, (key, value) => {
        const fullKey = `${targets[targetIndex]}|${key}`;
        let entry = byKey.get(fullKey);
        if (!entry) byKey.set(fullKey, (entry = { from: scrapeIndex, values: [] }));
        while (entry.from + entry.values.length < scrapeIndex) entry.values.push(null);
        entry.values.push(value);
      }),
    );
  }
  const series = [...byKey].map(([key, e]) => toSeries(key, e.from, e.values, scrapeTimestampsMs));
  return { intervalMs, targets, scrapeTimestampsMs, series };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function toSeries(key: string, from: number, values: readonly (number | null)[], scrapeTimestampsMs: readonly number[]): Series {
  const present = values.filter((v) => v !== null).length;
  const ts = new Float64Array(present);
  const vs = new Float64Array(present);
  let n = 0;
  values.forEach((v, k) => {
    if (v === null) return;
    ts[n] = scrapeTimestampsMs[from + k]!;
    vs[n++] = v;
  });
  return { key, timestampsMs: ts, values: vs };
}

interface PrometheusMatrix {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/**
 * Reads back every raw sample a running Prometheus stored in the last
 * `seconds` (an instant query of a range selector returns raw samples with
 * their own timestamps), so marquetry's encodings can be measured on exactly
 * what Prometheus put in its own chunks.
 */
export async function readFromPrometheus(baseUrl: string, seconds: number, endMs: number): Promise<Dataset> {
  const query = `{__name__=~".+"}[${seconds}s]`;
  const url = `${baseUrl}/api/v1/query?query=${encodeURIComponent(query)}&time=${endMs / 1000}`;
  const body = (await (await fetch(url)).json()) as PrometheusMatrix;
  if (body.status !== 'success' || body.data.resultType !== 'matrix') throw new Error(`chunks-bench: unexpected answer from ${url}`);
  const series: Series[] = body.data.result.map(({ metric, values }) => {
    const { __name__: name, ...labels } = metric;
    const labelText = Object.entries(labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',');
    return {
      key: `${baseUrl}|${name}{${labelText}}`,
      timestampsMs: Float64Array.from(values, ([t]) => Math.round(t * 1000)),
      values: Float64Array.from(values, ([, v]) => parseSampleValue(v)!),
    };
  });
  const all = new Set<number>();
  for (const s of series) for (const t of s.timestampsMs) all.add(t);
  const scrapeTimestampsMs = [...all].sort((a, b) => a - b);
  const longest = series.reduce((a, b) => (b.timestampsMs.length > a.timestampsMs.length ? b : a), series[0]!);
  return { intervalMs: medianStep(longest.timestampsMs), targets: [baseUrl], scrapeTimestampsMs, series };
}

function medianStep(ts: Float64Array): number {
  const steps = ts.slice(1).map((t, i) => t - ts[i]!).sort();
  return steps[steps.length >> 1] ?? 0;
}

export function writeFixture(path: string, data: Dataset, note: string): void {
  const indexOf = new Map(data.scrapeTimestampsMs.map((t, i) => [t, i]));
  const lines = [JSON.stringify({ note, intervalMs: data.intervalMs, targets: data.targets, timestampsMs: data.scrapeTimestampsMs })];
  for (const s of data.series) {
    if (s.values.length === 0) continue;
    const from = indexOf.get(s.timestampsMs[0]!)!;
    const v: FixtureValue[] = [];
    s.timestampsMs.forEach((t, i) => {
      while (from + v.length < indexOf.get(t)!) v.push(null);
      v.push(toFixtureValue(s.values[i]!));
    });
    lines.push(JSON.stringify({ s: s.key, from, v }));
  }
  writeFileSync(path, gzipSync(lines.join('\n') + '\n', { level: 9 }));
}

function toFixtureValue(v: number): FixtureValue {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return v;
}

export function readFixture(path: string): Dataset {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l !== '');
  const head = JSON.parse(lines[0]!) as { intervalMs: number; targets: string[]; timestampsMs: number[] };
  const series = lines.slice(1).map((line) => {
    const { s, from, v } = JSON.parse(line) as { s: string; from: number; v: FixtureValue[] };
    const values = v.map((x) => (x === null ? null : typeof x === 'number' ? x : parseSampleValue(x)!));
    return toSeries(s, from, values, head.timestampsMs);
  });
  return { intervalMs: head.intervalMs, targets: head.targets, scrapeTimestampsMs: head.timestampsMs, series };
}
