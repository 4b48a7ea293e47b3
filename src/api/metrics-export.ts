// Metric ingest, whatever the transport: remote_write 1.0/2.0 and OTLP
// metrics decode into a SampleBatch, become durable in the metrics WAL as
// received, then enter the head.

import type { SampleBatch } from '../model/sample-batch.js';
import { DecodeError } from '../model/errors.js';
import type { MetricsStore } from '../tsdb/metrics-store.js';
import { decodeRemoteWriteBody, type RemoteWriteVersion } from '../receive/metrics/remote-write-body.js';
import { decodeExportMetricsServiceRequest } from '../receive/metrics/otlp-metrics-decode.js';
import { decodeOtlpJsonMetrics } from '../receive/metrics/otlp-metrics-json-decode.js';
import { gunzipBounded, type OtlpFormat } from '../receive/request-body.js';
import type { ExportRequest } from './trace-export.js';

/** WAL record types of the metrics stream: the request body as received. */
export const MetricsWalType = {
  RemoteWriteV1Snappy: 1,
  RemoteWriteV2Snappy: 2,
  OtlpProto: 3,
  OtlpProtoGzip: 4,
  OtlpJson: 5,
} as const;

/** Replays a WAL record (bodies were valid when logged; the limit only guards memory). */
export function decodeMetricsWalRecord(type: number, payload: Uint8Array): SampleBatch {
  const limit = 1 << 30;
  switch (type) {
    case MetricsWalType.RemoteWriteV1Snappy:
      return decodeRemoteWriteBody(payload, '1.0', limit).batch;
    case MetricsWalType.RemoteWriteV2Snappy:
      return decodeRemoteWriteBody(payload, '2.0', limit).batch;
    case MetricsWalType.OtlpProto:
      return decodeExportMetricsServiceRequest(payload).batch;
    case MetricsWalType.OtlpProtoGzip:
      return decodeExportMetricsServiceRequest(gunzipBounded(payload, limit)).batch;
    case MetricsWalType.OtlpJson:
      return decodeOtlpJsonMetrics(payload).batch;
    default:
      throw new DecodeError(`metrics-wal: unknown record type ${type}`);
  }
}

export interface RemoteWriteResult {
  samplesWritten: number;
  histogramsWritten: number;
  exemplarsWritten: number;
  /** native histogram samples sent but not stored */
  histogramsRejected: number;
  warnings: string[];
}

export async function remoteWrite(store: MetricsStore, body: Uint8Array, version: RemoteWriteVersion, maxBytes: number): Promise<RemoteWriteResult> {
  const decoded = decodeRemoteWriteBody(body, version, maxBytes);
  const type = version === '2.0' ? MetricsWalType.RemoteWriteV2Snappy : MetricsWalType.RemoteWriteV1Snappy;
  if (decoded.batch.sampleCount > 0 || decoded.batch.metadata.length > 0) await store.ingest(decoded.batch, type, body);
  return {
    samplesWritten: decoded.samplesWritten,
    histogramsWritten: decoded.histogramsWritten,
    exemplarsWritten: decoded.exemplarsWritten,
    histogramsRejected: decoded.histogramsRejected,
    warnings: decoded.warnings,
  };
}

export interface OtlpExportResult {
  rejected: number;
  message: string;
}

export async function exportMetrics(store: MetricsStore, req: ExportRequest & { format: OtlpFormat }): Promise<OtlpExportResult> {
  const decoded = req.format === 'proto' ? decodeExportMetricsServiceRequest(req.body) : decodeOtlpJsonMetrics(req.body);
  if (decoded.batch.sampleCount > 0) {
    const type = req.format === 'json' ? MetricsWalType.OtlpJson : req.gzipped ? MetricsWalType.OtlpProtoGzip : MetricsWalType.OtlpProto;
    await store.ingest(decoded.batch, type, req.format === 'proto' && req.gzipped ? req.gzipped : req.body);
  }
  return { rejected: decoded.rejectedDataPoints, message: decoded.rejectMessage };
}
