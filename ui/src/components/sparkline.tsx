// A tiny inline chart for table rows (SVG; a uPlot per row would cost more than the table).

import { sparklinePath } from './sparkline-path.js';

export function Sparkline({ values, label, tone = 'accent' }: { values: readonly (number | null)[]; label: string; tone?: 'accent' | 'error' }) {
  const w = 96;
  const h = 22;
  return (
    <svg class={`sparkline sparkline-${tone}`} width={w + 4} height={h} viewBox={`-2 0 ${w + 4} ${h}`} role="img" aria-label={label}>
      <path d={sparklinePath(values, w, h)} />
    </svg>
  );
}
