// The trace page (owned by the trace view's work: waterfall, minimap, span
// detail). Until that lands this shows the trace's spans as a list.

import { useApi } from '../api/use-api.js';
import { fetchTrace } from '../api/endpoints.js';
import { ErrorState, Loading } from '../components/states.js';
import { formatDurationMs } from '../format.js';

interface OtlpSpan {
  spanId: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number | string };
}

interface OtlpResourceSpans {
  resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
  scopeSpans?: { spans?: OtlpSpan[] }[];
}

export function TracePage({ params }: { params: Record<string, string> }) {
  const id = params['id'] ?? '';
  const trace = useApi(`trace:${id}`, (signal) => fetchTrace(id, signal));
  const rows: { service: string; span: OtlpSpan }[] = [];
  for (const rs of (trace.data?.trace.resourceSpans ?? []) as OtlpResourceSpans[]) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) rows.push({ service, span });
  }
  rows.sort((a, b) => (BigInt(a.span.startTimeUnixNano) < BigInt(b.span.startTimeUnixNano) ? -1 : 1));
  return (
    <section>
      <div class="page-header">
        <h1>
          Trace <span class="mono" data-testid="trace-id">{id}</span>
        </h1>
        {trace.slow && <Loading what="Loading the trace" />}
      </div>
      {trace.error && <ErrorState error={trace.error} retry={trace.reload} title="Could not load the trace" />}
      {trace.data && (
        <div class="panel">
          <p data-testid="trace-span-count">{rows.length} spans</p>
          <ul class="mono">
            {rows.map(({ service, span }) => (
              <li key={span.spanId}>
                {service} · {span.name} · {formatDurationMs(Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
