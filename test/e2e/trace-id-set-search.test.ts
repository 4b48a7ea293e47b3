// Trace ids uploaded from elsewhere (seed 000) narrow a TraceQL search: the
// search joins on the uploaded set (a million ids) instead of building a giant OR.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { hexOf } from '../../src/model/hex.js';
import { syntheticBatch } from '../helpers/synthetic-spans.js';
import { postOtlpProto } from '../helpers/otlp-json.js';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { uploadTraceIdSet } from '../helpers/trace-id-sets.js';

describe('search narrowed by an uploaded trace-id set', () => {
  let server: TestServer;
  let traceIds: string[];
  before(async () => {
    server = await startTestServer();
    const batch = syntheticBatch(50, 4, 'set-search');
    traceIds = [];
    for (let i = 0; i < batch.length; i += 4) traceIds.push(hexOf(batch.traceId, i * 16, 16));
    assert.equal((await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batch))).status, 200);
    await server.store.flush();
  });
  after(async () => {
    await server.dispose();
  });

  it('returns only the traces whose ids were uploaded, among 1,000,000 unknown ids', async () => {
    const wanted = [traceIds[3]!, traceIds[17]!, traceIds[42]!];
    const id = await uploadTraceIdSet(server.apiUrl, wanted);
    const r = await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q: '{ resource.service.name = "set-search" }', limit: '100', traceIdSet: id })}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.traces.map((t: { traceID: string }) => t.traceID).sort(), [...wanted].sort());
  });

  it('answers 404 for an unknown set', async () => {
    const r = await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q: '{}', traceIdSet: 'nope0000' })}`);
    assert.ok(r.status === 404 || r.status === 400, `status ${r.status}`);
  });
});
