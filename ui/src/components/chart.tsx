// Time-series chart over uPlot. Colours come from the theme's CSS variables;
// the chart follows its container's width; dragging across it selects a time
// range (onSelectRange, e.g. to zoom the page's range).

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, theme } from '../theme.js';

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
  /** CSS colour; default: the palette in order */
  color?: string;
}

export interface ChartProps {
  title: string;
  /** x values: unix milliseconds */
  timestampsMs: readonly number[];
  series: readonly ChartSeries[];
  /** formats y values on the axis and in the legend */
  format: (v: number) => string;
  height?: number;
  /** drag-selected range, unix milliseconds */
  onSelectRange?: (startMs: number, endMs: number) => void;
  testId?: string;
}

const PALETTE_SIZE = 8;

/** Indices of values with no value on either side (uPlot's points.filter). */
function lonePoints(u: uPlot, seriesIdx: number): number[] | null {
  const ys = u.data[seriesIdx] ?? [];
  const out: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] == null) continue;
    if (ys[i - 1] == null && ys[i + 1] == null) out.push(i);
  }
  return out;
}

export function seriesColor(i: number): string {
  return cssVar(`--series-${(i % PALETTE_SIZE) + 1}`) || '#4c8bf5';
}

export function Chart({ title, timestampsMs, series, format, height = 180, onSelectRange, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const currentTheme = theme.value;

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--grid');
    const axis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: onSelectRange !== undefined, y: false, setScale: false } },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 64, values: (_u, splits) => splits.map((v) => format(v)) }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? seriesColor(i),
          width: 1.5,
          spanGaps: false,
          // Lone values between gaps would draw nothing as a line: mark them as points.
          points: { show: true, size: 5, filter: lonePoints },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (!onSelectRange || u.select.width < 2) return;
            const start = u.posToVal(u.select.left, 'x');
            const end = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onSelectRange(Math.round(start * 1000), Math.round(end * 1000));
          },
        ],
      },
    };
    const data: uPlot.AlignedData = [timestampsMs.map((t) => t / 1000), ...series.map((s) => s.values as (number | null)[])];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [timestampsMs, series, height, currentTheme]);

  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-canvas" />
    </figure>
  );
}
