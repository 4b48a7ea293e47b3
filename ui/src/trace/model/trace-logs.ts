// Log records of a trace, placed on the trace's time axis: each record's offset
// from the trace start, the span it names (if that span is in the trace), its
// severity band, and its body as one line of text.

import type { Trace } from './trace-model.js';
import { asNanos, nanosBetween, parseUnixNano, type Nanos, type UnixNano } from './units.js';

/** The fields of an API log record this module reads. */
export interface TraceLogInput {
  readonly timeUnixNano: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: unknown;
  readonly spanId: string;
}

export type Severity = 'unset' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface TraceLogRow<T extends TraceLogInput> {
  readonly record: T;
  readonly at: UnixNano;
  /** from the trace start; negative for logs written before its first span */
  readonly offset: Nanos;
  /** index of the span the record names, or −1 */
  readonly span: number;
  readonly severity: Severity;
  readonly text: string;
}

const BANDS: readonly Severity[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** OpenTelemetry severity numbers come in bands of four (1–4 trace … 21–24 fatal); without one, the text decides. */
export function severityOf(severityNumber: number, severityText: string): Severity {
  if (severityNumber >= 1 && severityNumber <= 24) return BANDS[Math.floor((severityNumber - 1) / 4)]!;
  const text = severityText.toLowerCase();
  if (text.startsWith('warn')) return 'warn';
  if (text === 'err' || text === 'critical') return 'error';
  return BANDS.find((b) => text.startsWith(b)) ?? 'unset';
}

/** A body as one line: strings as they are, anything else as JSON. */
export function logBodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body === null || body === undefined) return '';
  return JSON.stringify(body);
}

/** Rows oldest first (the API answers newest first); records without a readable time are left out. */
export function traceLogRows<T extends TraceLogInput>(trace: Trace, records: readonly T[], spanIndex: (spanId: string) => number | undefined): TraceLogRow<T>[] {
  const rows: TraceLogRow<T>[] = [];
  for (const record of records) {
    const at = parseUnixNano(record.timeUnixNano);
    if (at === undefined) continue;
    rows.push({
      record,
      at,
      offset: at >= trace.startUnixNano ? nanosBetween(trace.startUnixNano, at) : asNanos(-nanosBetween(at, trace.startUnixNano)),
      span: record.spanId === '' ? -1 : (spanIndex(record.spanId) ?? -1),
      severity: severityOf(record.severityNumber, record.severityText),
      text: logBodyText(record.body),
    });
  }
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Offsets (from the trace start) of the logs of each span, for marks on its bar. */
export function logOffsetsBySpan(rows: readonly TraceLogRow<TraceLogInput>[]): Map<number, Nanos[]> {
  const bySpan = new Map<number, Nanos[]>();
  for (const row of rows) {
    if (row.span < 0) continue;
    let list = bySpan.get(row.span);
    if (!list) bySpan.set(row.span, (list = []));
    list.push(row.offset);
  }
  return bySpan;
}
