// The detail panel of the selected span: what it is (service, kind, status,
// ids), its timing (start in the trace, duration, self time, time on the
// critical path, clock-skew correction), and its data by scope: span
// attributes, events (times relative to the span start), links (jump to the
// linked span, here or in its own trace), resource and instrumentation scope.

import type { ComponentChildren } from 'preact';
import { Link } from '../components/link.js';
import { SPAN_KIND_NAMES, STATUS_NAMES, type Attribute, type TraceSpan } from './model/trace-model.js';
import { formatNanos, formatUnixNano, type Nanos } from './model/units.js';
import type { TraceViewModel } from './trace-view-model.js';
import { compareLinksForSpan } from '../pages/compare/compare-query.js';

export interface SpanDetailProps {
  vm: TraceViewModel;
  span: number;
  onSelect: (span: number) => void;
  onClose: () => void;
}

function AttributeTable({ attributes, testId }: { attributes: readonly Attribute[]; testId?: string }) {
  if (attributes.length === 0) return <p class="muted">None</p>;
  return (
    <table class="attr-table" data-testid={testId}>
      <tbody>
        {attributes.map((a, i) => (
          <tr key={i}>
            <th scope="row" class="mono">
              {a.key}
            </th>
            <td class="mono">{a.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Section({ title, count, open = true, children, testId }: { title: string; count?: number; open?: boolean; children: ComponentChildren; testId?: string }) {
  return (
    <details class="detail-section" open={open} data-testid={testId}>
      <summary>
        {title}
        {count !== undefined && <span class="muted"> ({count})</span>}
      </summary>
      {children}
    </details>
  );
}

export function SpanDetail({ vm, span, onSelect, onClose }: SpanDetailProps) {
  const s: TraceSpan = vm.trace.spans[span]!;
  const parent = s.parent >= 0 ? vm.trace.spans[s.parent] : undefined;
  const pathTime = vm.critical.pathTime[span]!;
  const facts: [string, ComponentChildren][] = [
    ['Duration', formatNanos(s.duration)],
    ['Start', `+${formatNanos(s.start)}`],
    ['Self time', formatNanos(vm.selfTime[span]! as Nanos)],
    ['Critical path', pathTime > 0 ? formatNanos(pathTime as Nanos) : 'not on it'],
    ['Kind', SPAN_KIND_NAMES[s.kind] ?? String(s.kind)],
    ['Status', <span class={s.isError ? 'bad' : undefined}>{STATUS_NAMES[s.statusCode] ?? String(s.statusCode)}{s.statusMessage && `: ${s.statusMessage}`}</span>],
    ['Span ID', <span class="mono">{s.spanId}</span>],
    [
      'Parent',
      parent ? (
        <button type="button" class="link-button mono" onClick={() => onSelect(parent.index)} data-testid="detail-parent">
          {s.parentSpanId}
        </button>
      ) : s.orphan ? (
        <span class="mono" title="The parent span is not in this trace">
          {s.parentSpanId} (missing)
        </span>
      ) : (
        'none (root)'
      ),
    ],
    ['Reported start', <span class="mono">{formatUnixNano(s.startUnixNano)}</span>],
  ];
  const compare = compareLinksForSpan({
    service: s.service,
    name: s.name,
    durationMs: s.duration / 1e6,
    isError: s.isError,
    startMs: Number(s.startUnixNano / 1_000_000n),
  });
  facts.push([
    'Compare',
    <span class="toolbar">
      <Link href={compare.slow} data-testid="detail-compare-slow" title="What sets this operation's spans this slow apart from its other spans">
        Why this slow?
      </Link>
      {compare.errors && (
        <Link href={compare.errors} data-testid="detail-compare-errors" title="What sets this operation's failing spans apart">
          Why errors?
        </Link>
      )}
    </span>,
  ]);
  if (s.skew !== 0) facts.push(['Clock skew', `shifted ${s.skew > 0 ? '+' : ''}${formatNanos(s.skew)} to fit its parent`]);
  if (s.traceState) facts.push(['Trace state', <span class="mono">{s.traceState}</span>]);
  const dropped = s.dropped.attributes + s.dropped.events + s.dropped.links;
  if (dropped > 0) facts.push(['Dropped', `${s.dropped.attributes} attributes, ${s.dropped.events} events, ${s.dropped.links} links`]);

  return (
    <aside class="span-detail" aria-label="Span detail" data-testid="span-detail">
      <header class="span-detail-head">
        <span class="service-chip" style={{ borderColor: vm.colors.get(s.service) }}>
          {s.service}
        </span>
        <h2 data-testid="detail-name">{s.name}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label="Close span detail" title="Close (Esc)">
          ×
        </button>
      </header>
      <dl class="detail-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <Section title="Span attributes" count={s.attributes.length} testId="detail-attributes">
        <AttributeTable attributes={s.attributes} testId="span-attributes" />
      </Section>
      <Section title="Events" count={s.events.length} testId="detail-events">
        {s.events.length === 0 ? (
          <p class="muted">None</p>
        ) : (
          <ol class="event-list">
            {s.events.map((e, i) => (
              <li key={i} class={e.name === 'exception' ? 'exception' : undefined}>
                <div>
                  <span class="mono event-offset">+{formatNanos(e.offset)}</span> <strong>{e.name}</strong>
                </div>
                <AttributeTable attributes={e.attributes} />
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Section title="Links" count={s.links.length} testId="detail-links">
        {s.links.length === 0 ? (
          <p class="muted">None</p>
        ) : (
          <ul class="link-list">
            {s.links.map((l, i) => {
              const here = l.traceId === vm.trace.traceId ? vm.spanIndex(l.spanId) : undefined;
              return (
                <li key={i}>
                  {here !== undefined ? (
                    <button type="button" class="link-button mono" onClick={() => onSelect(here)}>
                      {vm.trace.spans[here]!.name} ({l.spanId})
                    </button>
                  ) : (
                    <Link href={`/trace/${l.traceId}?span=${l.spanId}`} class="mono">
                      {l.traceId} / {l.spanId}
                    </Link>
                  )}
                  <AttributeTable attributes={l.attributes} />
                </li>
              );
            })}
          </ul>
        )}
      </Section>
      <Section title="Resource" count={s.resource.attributes.length} open={false} testId="detail-resource">
        <AttributeTable attributes={s.resource.attributes} />
      </Section>
      <Section title="Instrumentation scope" open={false} testId="detail-scope">
        <p class="mono">
          {s.scope.name || '(unnamed)'} {s.scope.version}
        </p>
        {s.scope.attributes.length > 0 && <AttributeTable attributes={s.scope.attributes} />}
      </Section>
    </aside>
  );
}
