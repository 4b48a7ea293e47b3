// Where to look first: the slowest operations (p99) and those with the most
// errors over the range, each leading to its traces and to the comparison
// that explains it.

import type { OperationHealth } from '../../api/types.js';
import { Link } from '../../components/link.js';
import { formatCount, formatDurationMs, formatPercent } from '../../format.js';
import { hrefOf, pathOf } from '../../route-match.js';
import { operationFilter } from '../../traceql-build.js';

type Keep = Record<string, string | null>;

function OperationItem({ op, figure, keep, compare }: { op: OperationHealth; figure: string; keep: Keep; compare: 'slow' | 'errors' }) {
  const filter = operationFilter(op.service, op.name);
  const compareHref =
    compare === 'slow' && op.p90Ms !== null
      ? hrefOf('/compare', { target: 'slow', q: filter, minMs: Number(op.p90Ms.toPrecision(3)), ...keep })
      : hrefOf('/compare', { target: 'errors', q: filter, ...keep });
  return (
    <li>
      <span class="top-op-name">
        <Link href={hrefOf(pathOf('/services/:service', { service: op.service }), keep)} class="muted">
          {op.service}
        </Link>{' '}
        <Link href={hrefOf('/search', { q: filter, ...keep })} title="Find its traces">
          {op.name}
        </Link>
      </span>
      <span class="top-op-figure">{figure}</span>
      <Link href={compareHref} title={compare === 'slow' ? 'Compare its slowest 10% with the rest' : 'Compare its errors with the rest'}>
        Why?
      </Link>
    </li>
  );
}

export function TopOperations({ top, keep }: { top: { byLatency: OperationHealth[]; byErrors: OperationHealth[] }; keep: Keep }) {
  if (top.byLatency.length === 0 && top.byErrors.length === 0) return null;
  return (
    <div class="top-ops" data-testid="top-operations">
      <div class="panel">
        <h2>Slowest operations (p99)</h2>
        <ol>
          {top.byLatency.map((op) => (
            <OperationItem key={`${op.service}/${op.name}/${op.kind}`} op={op} keep={keep} compare="slow" figure={formatDurationMs(op.p99Ms)} />
          ))}
        </ol>
      </div>
      <div class="panel">
        <h2>Most errors</h2>
        {top.byErrors.length === 0 ? (
          <p class="muted">No errors in this time range.</p>
        ) : (
          <ol>
            {top.byErrors.map((op) => (
              <OperationItem
                key={`${op.service}/${op.name}/${op.kind}`}
                op={op}
                keep={keep}
                compare="errors"
                figure={`${formatCount(op.errors)} · ${formatPercent(op.errorRatio)}`}
              />
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
