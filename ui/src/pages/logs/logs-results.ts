// Pure helpers of the Logs page: histogram buckets → chart series per
// severity level, a record → the one-line summary the list shows.

import type { LogHistogramResponse, LogRecord } from '../../api/types.js';

/** Levels in the order the API counts them, the most severe last (drawn on top). */
export const LOG_LEVELS = ['unspecified', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LevelSeries {
  level: LogLevel;
  counts: number[];
}

/** One point per bucket (unix ms) and one series per level that occurs, zeros filled in. */
export function histogramSeries(h: LogHistogramResponse): { timestampsMs: number[]; series: LevelSeries[] } {
  const timestampsMs = h.buckets.map((b) => Number(BigInt(b.startNs) / 1_000_000n));
  const present = LOG_LEVELS.filter((level) => h.buckets.some((b) => (b.counts[level] ?? 0) > 0));
  return { timestampsMs, series: present.map((level) => ({ level, counts: h.buckets.map((b) => b.counts[level] ?? 0) })) };
}

/** The level of a severity number (OTLP: 1-4 trace, 5-8 debug, … 21-24 fatal). */
export function levelOf(severityNumber: number): LogLevel {
  if (severityNumber <= 0) return 'unspecified';
  return LOG_LEVELS[Math.min(6, Math.floor((severityNumber - 1) / 4) + 1)]!;
}

export interface LogRow {
  key: string;
  timeMs: number;
  level: LogLevel;
  severityText: string;
  service: string;
  /** the body as one line: a string as is, anything else as compact JSON */
  message: string;
  traceId: string;
}

export function logRowOf(r: LogRecord, index: number): LogRow {
  const message = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  return {
    key: `${r.timeUnixNano}:${index}`,
    timeMs: Number(BigInt(r.timeUnixNano) / 1_000_000n),
    level: levelOf(r.severityNumber),
    severityText: r.severityText || levelOf(r.severityNumber).toUpperCase(),
    service: r.serviceName,
    message: message.length > 500 ? `${message.slice(0, 500)}…` : message,
    traceId: r.traceId,
  };
}
