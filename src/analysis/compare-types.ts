// The root-cause comparison's request and answer (docs/analysis.md,
// "Root-cause comparison"). Times are unix nanoseconds inside, seconds on the wire.

export type TargetKind = 'errors' | 'slow' | 'exceptions' | 'traceql' | 'traceIdSet';

export interface CompareTarget {
  kind: TargetKind;
  /** slow: spans longer than this many ms (absolute threshold) */
  thresholdMs?: number;
  /** slow: spans above this percentile (0 < p < 100) of their own operation (service, span name); default 90 */
  percentile?: number;
  /** traceql: the selection, e.g. `{ span.http.route = "/api/cart" }` */
  query?: string;
  /** traceIdSet: an uploaded trace-id set (POST /api/v1/trace-id-sets); the target is the spans (traces) of those traces */
  set?: string;
}

export interface CompareBaseline {
  /** rest: the other spans of the operations the target touches (trace level: the other traces) */
  kind: 'rest' | 'traceql';
  query?: string;
}

export type CompareLevel = 'span' | 'trace';

export interface CompareRequest {
  startNs: bigint;
  endNs: bigint;
  target: CompareTarget;
  baseline: CompareBaseline;
  level: CompareLevel;
  /** rows returned in `dimensions` and in `latency` */
  limit: number;
  /**
   * At most about this many spans are read; above it a uniform sample of
   * whole traces (a trace-id range) is compared. 0 = never sample.
   */
  maxSpans: number;
  /** only traces in this uploaded trace-id set are compared (target and baseline); never sampled */
  traceIdSet?: string;
  /** `spans`: never answer from span cubes (to check them); default `auto` */
  source?: CompareSource;
}

export type CompareSource = 'auto' | 'spans';

/** How the comparison was answered (docs/analysis.md, "Answered from span cubes"). */
export interface CompareAnswerPath {
  /** `cube`: from the parts' span cubes; `spans`: one scan of the spans (exact, or a sample of traces) */
  path: 'cube' | 'spans';
  /** `spans`: why the cubes could not answer */
  reason?: string;
  /** `cube`: parts answered from their cubes and their spans */
  cubeParts?: number;
  cubeSpans?: number;
  /** `cube`: spans read as rows beside the cubes (parts straddling the range's edges or without a cube yet, the head) */
  spansRead?: number;
  /** `cube`: high-cardinality dimensions counted from spans, and the share of traces read for them (1: all) */
  fromSpans?: string[];
  fromSpansFraction?: number;
}

export interface DimensionRow {
  dimension: string;
  value: string;
  /** spans (trace level: traces) of the target that have this value */
  targetCount: number;
  targetShare: number;
  baselineCount: number;
  baselineShare: number;
  /** smoothed targetShare / baselineShare */
  lift: number;
  /** signed mutual information (nats) of "in the target" and "has this value"; > 0 over-represented */
  score: number;
  /** −ln of a bound on the one-sided p-value (nats); compare with `evidenceNeeded` */
  evidence: number;
  confident: boolean;
  /** other dimension=value pairs that select exactly the same counts */
  aliases?: string[];
}

/** How a value's latency differs from the rest of its operations' spans (compare-score.ts). */
export interface LatencyScore {
  /** mean percentile rank within the span's operation, with this value minus without (−1..1) */
  rankShift: number;
  /** geometric-mean duration relative to the operation's median, with ÷ without */
  durationRatio: number;
  /** share of its spans above their operation's p90, with this value and without */
  aboveP90Share: number;
  aboveP90ShareOthers: number;
  direction: 'slower' | 'faster';
  /** signed evidence of the shift per compared span (z²/2 ÷ spans); > 0 slower. Ranked by magnitude */
  score: number;
  evidence: number;
  confident: boolean;
}

export interface LatencyRow extends LatencyScore {
  dimension: string;
  value: string;
  spans: number;
  aliases?: string[];
}

export interface HighCardinalityRow {
  dimension: string;
  /** distinct values among the compared spans */
  distinct: number;
}

export interface CompareResponse {
  level: CompareLevel;
  target: { spans: number; traces?: number };
  baseline: { spans: number; traces?: number };
  dimensions: DimensionRow[];
  latency: LatencyRow[];
  highCardinality: HighCardinalityRow[];
  /** the top dimension when it is confident */
  culprit?: DimensionRow;
  /** evidence a row needs to be confident (nats): ln(values tested / 0.01) */
  evidenceNeeded: number;
  /** dimensions left out because the target or baseline is defined by them */
  excluded: string[];
  /** present when a sample of traces was compared */
  sample?: { fraction: number; estimatedSpans: number };
  answeredBy?: CompareAnswerPath;
}
