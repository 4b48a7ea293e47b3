// The columnar form metric samples pass in: decoders (remote_write, OTLP
// metrics) write it, the metrics WAL replays into it, the TSDB head appends
// it. Series are listed once with their labels; samples point at them.

/**
 * Labels of every series, flattened: series i owns label rows
 * [labelOffsets[i], labelOffsets[i+1]), sorted by name, unique names,
 * `__name__` included as an ordinary label. Empty label values are dropped
 * (Prometheus semantics: an empty value is an absent label).
 */
export interface SampleBatch {
  seriesCount: number;
  labelOffsets: Uint32Array;
  labelNames: string[];
  labelValues: string[];
  sampleCount: number;
  /** index of the sample's series */
  sampleSeries: Uint32Array;
  /** unix milliseconds (integers; float64 is exact up to 2^53) */
  sampleTimeMs: Float64Array;
  /** sample values, bit-exact (NaN payloads such as the staleness marker kept) */
  sampleValue: Float64Array;
  /** per metric family, when the sender said (remote_write metadata, OTLP type/unit/description) */
  metadata: MetricMetadata[];
}

export interface MetricMetadata {
  metric: string;
  /** counter | gauge | histogram | gaugehistogram | summary | info | stateset | unknown */
  type: string;
  help: string;
  unit: string;
}

/** Prometheus's staleness marker: a NaN with this exact bit pattern. */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;
