// The trace's summary line: root service and operation, duration, start, span
// count, services (in their colours), errors, and a button copying the id.

import { useState } from 'preact/hooks';
import { formatNanos, formatUnixNano } from './model/units.js';
import type { TraceViewModel } from './trace-view-model.js';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // clipboard API refused (no permission, plain http): fall back to a selection copy
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function TraceHeader({ vm, onFind }: { vm: TraceViewModel; onFind: (query: string) => void }) {
  const { trace } = vm;
  const root = trace.spans[trace.roots[0]!]!;
  const rootIsOrphan = root.parentSpanId !== '';
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>(undefined);
  const copy = async (): Promise<void> => {
    setCopied((await copyText(trace.traceId)) ? 'yes' : 'failed');
    setTimeout(() => setCopied(undefined), 1500);
  };
  return (
    <div class="trace-header">
      <div class="trace-title">
        <h1>
          <span class="service-chip" style={{ borderColor: vm.colors.get(root.service) }} data-testid="trace-root-service">
            {root.service}
          </span>{' '}
          <span data-testid="trace-root-name">{root.name}</span>
          {rootIsOrphan && (
            <span class="muted" title="The trace's root span has not arrived (or was not sampled); the earliest span is shown first">
              {' '}
              (root span missing)
            </span>
          )}
        </h1>
        <div class="trace-id-line">
          <span class="mono muted" data-testid="trace-id">
            {trace.traceId}
          </span>
          <button type="button" class="small-button" onClick={() => void copy()} data-testid="copy-trace-id" aria-live="polite">
            {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy ID'}
          </button>
        </div>
      </div>
      <dl class="trace-facts">
        <div>
          <dt>Duration</dt>
          <dd data-testid="trace-duration">{formatNanos(trace.duration)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd class="mono" title={formatUnixNano(trace.startUnixNano)}>
            {new Date(Number(trace.startUnixNano / 1_000_000n)).toLocaleString()}
          </dd>
        </div>
        <div>
          <dt>Spans</dt>
          <dd data-testid="trace-span-count">{trace.spans.length}</dd>
        </div>
        <div>
          <dt>Depth</dt>
          <dd>{vm.maxDepth + 1}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd class={trace.errorCount > 0 ? 'bad' : undefined} data-testid="trace-error-count">
            {trace.errorCount > 0 ? (
              <button type="button" class="link-button bad" onClick={() => onFind('status=error')} title="Find the spans with status error">
                {trace.errorCount}
              </button>
            ) : (
              trace.errorCount
            )}
          </dd>
        </div>
        <div class="trace-services">
          <dt>Services ({trace.services.length})</dt>
          <dd>
            {trace.services.map((s) => (
              <button type="button" key={s} class="service-chip" style={{ borderColor: vm.colors.get(s) }} onClick={() => onFind(/\s/.test(s) ? `service="${s}"` : `service=${s}`)} title={`Find the spans of ${s}`}>
                {s}
              </button>
            ))}
          </dd>
        </div>
      </dl>
    </div>
  );
}
