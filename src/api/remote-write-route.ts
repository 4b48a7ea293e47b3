// Prometheus remote_write receiver: POST /api/v1/write, snappy-compressed
// protobuf, 1.0 (prometheus.WriteRequest) or 2.0 (io.prometheus.write.v2.Request)
// chosen by Content-Type. 204 on success; 400 for bad data (senders drop it),
// 413 too large, 415 wrong type/encoding, 503 + Retry-After when overloaded
// (senders retry).
//
// 2.0 answers carry X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written
// on every answer, errors included (the spec's and Prometheus's rule): what
// was stored, 0 when the request was refused. Native histograms are not
// stored: a request holding any is a partial write, answered 400 naming them
// after its float samples are stored (the spec forbids 2xx when a sample was
// not written; 400, as it asks for samples a receiver does not support, keeps
// the sender from resending the floats). Exemplars are dropped with 204, as
// Prometheus does when it cannot store them; the header says 0 were written.

import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { TooLargeError, UnauthorizedError, UnsupportedMediaTypeError } from '../model/errors.js';
import { remoteWriteVersionOf, type RemoteWriteVersion } from '../receive/metrics/remote-write-body.js';
import type { MetricsStore } from '../tsdb/metrics-store.js';
import { remoteWrite, type RemoteWriteResult } from './metrics-export.js';
import { errorResponse } from './error-status.js';
import { checkBearer } from './auth.js';

export function mountRemoteWrite(app: Hono, store: MetricsStore, options: { maxRequestBytes: number; authToken: string }): void {
  app.post(
    '/api/v1/write',
    bodyLimit({
      maxSize: options.maxRequestBytes,
      onError: (c) => c.text(new TooLargeError(`remote-write: body exceeds the limit of ${options.maxRequestBytes} bytes`).message, 413),
    }),
    async (c) => {
      let version: RemoteWriteVersion | undefined;
      try {
        if (!checkBearer(c.req.header('authorization'), options.authToken)) throw new UnauthorizedError('remote-write: missing or wrong bearer token');
        version = remoteWriteVersionOf(c.req.header('content-type'));
        const encoding = (c.req.header('content-encoding') ?? 'snappy').toLowerCase();
        if (encoding !== 'snappy') throw new UnsupportedMediaTypeError(`remote-write: content encoding "${encoding}" is not supported; use snappy`);
        const body = new Uint8Array(await c.req.arrayBuffer());
        const r = await remoteWrite(store, body, version, options.maxRequestBytes * 8);
        if (version === '2.0') setWrittenHeaders(c, r);
        if (r.histogramsRejected > 0) {
          return c.text(`remote-write: partial write: ${r.samplesWritten} samples written; ${r.warnings.join('; ')}`, 400);
        }
        if (r.warnings.length > 0) c.header('X-Marquetry-Warnings', r.warnings.join('; ').slice(0, 1000));
        return c.body(null, 204);
      } catch (err) {
        if (version === '2.0') setWrittenHeaders(c, NOTHING_WRITTEN);
        const e = errorResponse(err);
        if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
        return c.text(e.message, e.status as 400);
      }
    },
  );
}

const NOTHING_WRITTEN = { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0 };

function setWrittenHeaders(c: Context, r: Pick<RemoteWriteResult, 'samplesWritten' | 'histogramsWritten' | 'exemplarsWritten'>): void {
  c.header('X-Prometheus-Remote-Write-Samples-Written', String(r.samplesWritten));
  c.header('X-Prometheus-Remote-Write-Histograms-Written', String(r.histogramsWritten));
  c.header('X-Prometheus-Remote-Write-Exemplars-Written', String(r.exemplarsWritten));
}
