// Number and time formatting shared by every page. Pure.

/** `850µs`, `12.3ms`, `1.24s`, `2m 05s` */
export function formatDurationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${trim(ms * 1000, 3)}µs`;
  if (ms < 1000) return `${trim(ms, 3)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000, 3)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

/** Up to `digits` significant digits, never in exponent form. */
function trim(v: number, digits: number): string {
  if (v === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - mag);
  const fixed = v.toFixed(Math.min(decimals, 6));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Requests per second: `1.2k/s`, `35/s`, `0.42/s` */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '–';
  return `${formatCount(perSecond)}/s`;
}

export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9, 3)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6, 3)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3, 3)}k`;
  return trim(n, abs < 1 ? 2 : 3);
}

/** A ratio 0..1 as a percentage: `0.12%`, `4.5%`, `100%` */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  const p = ratio * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) < 0.01) return '<0.01%';
  return `${trim(p, p >= 10 ? 3 : 2)}%`;
}

/** Local date-time with seconds, `2026-11-21 09:30:12`. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `3s ago`, `5m ago`, `2h ago`, else the date-time. */
export function formatAgo(ms: number, nowMs: number): string {
  const s = Math.round((nowMs - ms) / 1000);
  if (s < 0) return formatTime(ms);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return formatTime(ms);
}
