// Uploads a trace-id set the way another database's export would arrive:
// hex ids, one per line, gzipped, with the wanted ids among many random ones.

import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Rng } from '../../src/loadgen/rng.js';

/** POSTs `ids` plus `randomIds` random ids to /api/v1/trace-id-sets; the set's id. */
export async function uploadTraceIdSet(apiUrl: string, ids: readonly string[], randomIds = 1_000_000, seed = 99): Promise<string> {
  const random = new Uint8Array(randomIds * 16);
  new Rng(seed).fillBytes(random, 0, random.length);
  const hex = Buffer.from(random).toString('hex');
  const lines = [...ids];
  for (let i = 0; i < hex.length; i += 32) lines.push(hex.slice(i, i + 32));
  const res = await fetch(`${apiUrl}/api/v1/trace-id-sets`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
    body: gzipSync(Buffer.from(lines.join('\n'))),
  });
  const body = (await res.json()) as { id: string; count: number };
  assert.equal(res.status, 201, JSON.stringify(body));
  assert.equal(body.count, randomIds + new Set(ids).size);
  return body.id;
}
