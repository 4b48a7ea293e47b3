// The trace page (/trace/:id): loads the trace, builds its model once, and
// hands it to the view. Failures say what to do: a trace that is not found
// yet may still be arriving.

import { useMemo } from 'preact/hooks';
import { fetchTrace } from '../api/endpoints.js';
import { ApiError } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { EmptyState, ErrorState, Loading } from '../components/states.js';
import { Link } from '../components/link.js';
import { buildTrace } from './model/trace-model.js';
import type { OtlpResourceSpans } from './model/otlp.js';
import { traceViewModel } from './trace-view-model.js';
import { TRACE_MODEL_START_MARK, TraceView } from './trace-view.js';
import './trace.css';

export function TracePage({ params }: { params: Record<string, string> }) {
  const id = params['id'] ?? '';
  const response = useApi(`trace:${id}`, (signal) => fetchTrace(id, signal));
  const built = useMemo(() => {
    if (!response.data) return undefined;
    try {
      // User Timing marks (DevTools' performance panel; the browser test reads them)
      performance.mark(TRACE_MODEL_START_MARK);
      const vm = traceViewModel(buildTrace(response.data.trace.resourceSpans as OtlpResourceSpans[]));
      performance.measure('marquetry:trace-model', TRACE_MODEL_START_MARK);
      return { vm };
    } catch (err) {
      return { error: err as Error };
    }
  }, [response.data]);

  if (response.error instanceof ApiError && response.error.status === 404) {
    return (
      <EmptyState title={`Trace ${id} was not found`}>
        <p>
          Spans become searchable within a second of arriving; if the trace was just sent, <button type="button" class="link-button" onClick={response.reload}>try again</button>. Otherwise check
          the id, or find the trace on <Link href="/search">Search</Link>.
        </p>
      </EmptyState>
    );
  }
  if (response.error) return <ErrorState error={response.error} retry={response.reload} title="Could not load the trace" />;
  if (!built) {
    return response.slow ? <Loading what="Loading the trace" /> : <div class="trace-page" data-testid="trace-loading" />;
  }
  if ('error' in built) return <ErrorState error={built.error!} title="Could not read the trace" />;
  return <TraceView key={id} vm={built.vm} />;
}
