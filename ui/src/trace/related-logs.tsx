// The trace's logs: records carrying its trace id (from OTLP logs written
// inside a span, or JSON lines with trace_id), in time order beside the
// waterfall. A record's span is a button that selects it; the selected span's
// records stand out, and can be shown alone.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { fetchTraceLogs } from '../api/endpoints.js';
import type { LogRecord } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { EmptyState, ErrorState, Loading } from '../components/states.js';
import { Link } from '../components/link.js';
import { hrefOf } from '../route-match.js';
import { logOffsetsBySpan, traceLogRows } from './model/trace-logs.js';
import { formatNanos, formatUnixNano, type Nanos, type UnixNano } from './model/units.js';
import type { TraceViewModel } from './trace-view-model.js';

/** Logs a little before and after the spans still belong to the request (queued, flushed late). */
const MARGIN_NS = 60_000_000_000n;
const MAX_RECORDS = 500;

export interface RelatedLogsProps {
  vm: TraceViewModel;
  selected: number;
  onSelect: (span: number) => void;
  onClose: () => void;
  /** log times per span, for marks on the waterfall's bars */
  onMarks: (marks: Map<number, Nanos[]>) => void;
}

export function RelatedLogs({ vm, selected, onSelect, onClose, onMarks }: RelatedLogsProps) {
  const { trace } = vm;
  const from = trace.startUnixNano - MARGIN_NS;
  const to = trace.startUnixNano + BigInt(Math.ceil(trace.duration)) + MARGIN_NS;
  const logs = useApi(`trace-logs:${trace.traceId}`, (signal) => fetchTraceLogs(trace.traceId, from, to, MAX_RECORDS, signal));
  const rows = useMemo(() => (logs.data ? traceLogRows<LogRecord>(trace, logs.data.records, vm.spanIndex) : []), [logs.data, vm]);
  const [onlySelected, setOnlySelected] = useState(false);
  useEffect(() => onMarks(logOffsetsBySpan(rows)), [rows]);
  useEffect(() => () => onMarks(new Map()), []);
  const shown = onlySelected && selected >= 0 ? rows.filter((r) => r.span === selected) : rows;

  return (
    <section class="related-logs" aria-label="Logs of this trace" data-testid="related-logs">
      <header class="related-logs-head">
        <h2>
          Logs of this trace{logs.data && <span class="muted"> ({rows.length}{logs.data.nextCursor ? `, the newest ${MAX_RECORDS}` : ''})</span>}
        </h2>
        <Link href={hrefOf('/logs', { q: `{trace_id="${trace.traceId}"}`, from: Number(from / 1_000_000n), to: Number(to / 1_000_000n) + 1 })} data-testid="logs-page-link">
          Open on the Logs page
        </Link>
        <label class="trace-toggle">
          <input type="checkbox" checked={onlySelected} disabled={selected < 0} onChange={(e) => setOnlySelected(e.currentTarget.checked)} data-testid="logs-only-selected" /> Only the selected span
        </label>
        <button type="button" class="icon-button" onClick={onClose} aria-label="Close the logs" title="Close">
          ×
        </button>
      </header>
      {logs.slow && <Loading what="Loading the trace's logs" />}
      {logs.error && <ErrorState error={logs.error} retry={logs.reload} title="Could not load the logs" />}
      {logs.data && rows.length === 0 && (
        <EmptyState title="No logs carry this trace's id">
          <p>
            OpenTelemetry log bridges add the trace and span id to records written inside a span; JSON lines sent to <code>/api/v1/ingest/&lt;stream&gt;</code> link when they
            have a <code>trace_id</code> field.
          </p>
        </EmptyState>
      )}
      {shown.length > 0 && (
        <div class="related-logs-scroll">
          <table class="logs-table" data-testid="logs-table">
            <tbody>
              {shown.map((r, i) => (
                <tr key={i} class={`sev-${r.severity}${r.span >= 0 && r.span === selected ? ' of-selected' : ''}`} data-testid="log-row">
                  <td class="mono log-offset" title={formatUnixNano(r.at as UnixNano)}>
                    {r.offset < 0 ? '−' : '+'}
                    {formatNanos(Math.abs(r.offset) as Nanos)}
                  </td>
                  <td class="log-severity">{r.record.severityText || r.severity}</td>
                  <td class="log-service">{r.record.serviceName}</td>
                  <td class="log-span">
                    {r.span >= 0 ? (
                      <button type="button" class="link-button" onClick={() => onSelect(r.span)} title={`Select span ${r.record.spanId}`}>
                        {trace.spans[r.span]!.name}
                      </button>
                    ) : (
                      <span class="muted" title={r.record.spanId ? `span ${r.record.spanId} is not in this trace` : 'no span id'}>
                        —
                      </span>
                    )}
                  </td>
                  <td class="mono log-body">{r.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
