// Loading, error and empty states. Each says what happened and what to do next.

import type { ComponentChildren } from 'preact';
import { ApiError, apiToken, setApiToken } from '../api/client.js';
import { useState } from 'preact/hooks';

/** Shown while a query has run for over a second (useApi's `slow`). */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {what}…
    </div>
  );
}

export function ErrorState({ error, retry, title = 'The query failed' }: { error: Error; retry?: () => void; title?: string }) {
  if (error instanceof ApiError && error.status === 401) return <TokenPrompt retry={retry} />;
  const hint =
    error instanceof ApiError && error.status === 400
      ? 'Fix the input above and run it again.'
      : error instanceof ApiError && (error.status === 503 || error.status === 429)
        ? 'The server is busy: try again in a few seconds.'
        : error instanceof ApiError && error.status === 504
          ? 'The query ran out of time: narrow the time range or the filter.'
          : error instanceof ApiError && error.status === 0
            ? 'Check that marquetry is running and reachable.'
            : undefined;
  return (
    <div class="state state-error" role="alert">
      <strong>{title}</strong>
      <pre class="state-message">{error.message}</pre>
      {hint && <p>{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

function TokenPrompt({ retry }: { retry?: (() => void) | undefined }) {
  const [token, setToken] = useState(apiToken.value);
  return (
    <form
      class="state state-error"
      onSubmit={(e) => {
        e.preventDefault();
        setApiToken(token);
        retry?.();
      }}
    >
      <strong>This server needs a bearer token</strong>
      <p>marquetry was started with an auth token. Enter it to query the API (kept in this browser).</p>
      <input type="password" value={token} aria-label="API token" onInput={(e) => setToken(e.currentTarget.value)} />
      <button type="submit">Use token</button>
    </form>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <strong>{title}</strong>
      {children && <div class="state-hint">{children}</div>}
    </div>
  );
}

/** What to do when there is no data at all yet: send some. */
export function NoDataHint() {
  return (
    <p>
      Point an OpenTelemetry SDK or Collector at this server (OTLP/HTTP on port 4318, gRPC on 4317), or generate traffic with{' '}
      <code>npm run loadgen -- --rate 200 --duration 60s</code>. Widening the time range may also help.
    </p>
  );
}
