// One ranked dimension=value as two bars: its share of the target and of the
// baseline, with the score; the value links to Search narrowed to it.

import type { DimensionRow } from '../../api/types.js';
import { Link } from '../../components/link.js';
import { formatCount, formatPercent } from '../../format.js';

export function ShareBars({ row, searchHref, maxShare }: { row: DimensionRow; searchHref: string | undefined; maxShare: number }) {
  const width = (share: number): string => `${Math.max(0.5, (share / maxShare) * 100).toFixed(1)}%`;
  const label = (
    <>
      <span class="dim-name">{row.dimension}</span> = <span class="dim-value">{row.value}</span>
    </>
  );
  return (
    <li class={'share-row' + (row.confident ? ' confident' : '')} data-testid="compare-row">
      <div class="share-label">
        {searchHref ? (
          <Link href={searchHref} title="Search the target's spans with this value" data-testid="compare-value">
            {label}
          </Link>
        ) : (
          label
        )}
        {row.aliases && row.aliases.length > 0 && <span class="muted aliases" title={row.aliases.join('\n')}> (+{row.aliases.length} same spans)</span>}
      </div>
      <div class="share-bars" aria-label={`target ${formatPercent(row.targetShare)}, baseline ${formatPercent(row.baselineShare)}`}>
        <div class="bar-line">
          <span class="bar bar-target" style={{ width: width(row.targetShare) }} />
          <span class="bar-text">
            {formatPercent(row.targetShare)} <span class="muted">({formatCount(row.targetCount)})</span>
          </span>
        </div>
        <div class="bar-line">
          <span class="bar bar-baseline" style={{ width: width(row.baselineShare) }} />
          <span class="bar-text">
            {formatPercent(row.baselineShare)} <span class="muted">({formatCount(row.baselineCount)})</span>
          </span>
        </div>
      </div>
      <div class="share-score num" title={`lift ${row.lift.toFixed(2)}×, evidence ${row.evidence.toFixed(1)} nats`}>
        <span class="score">{row.score.toFixed(4)}</span>
        <span class="muted">{row.lift.toFixed(1)}×</span>
        {row.confident && <span class="badge">confident</span>}
      </div>
    </li>
  );
}
