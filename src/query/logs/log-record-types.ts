// The JSON shape of a log record as the API answers it; dependency-free so the
// UI can import it (type-only) and the two never drift apart.

export type Plain = null | string | number | boolean | Plain[] | { [key: string]: Plain };

export interface LogRecordJson {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  serviceName: string;
  stream: string;
  body: Plain;
  attributes: Record<string, Plain>;
  resource: Record<string, Plain>;
  scope: { name: string; version: string; attributes: Record<string, Plain> };
  traceId: string;
  spanId: string;
  flags: number;
  eventName: string;
}
