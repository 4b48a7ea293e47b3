import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJsonLines } from '../receive/json-lines-decode.js';
import { decodeJsonLinesWalRecord, encodeJsonLinesWalRecord } from '../receive/json-lines-wal.js';
import type { LogBatch } from '../model/log-batch.js';
import type { StagedFile } from '../head/head.js';
import { seededRandom } from '../model/seeded-random.js';
import { chooseKeyField, correlationKeysOf } from './log-correlation.js';
import { LONGEST_UNIT_NS, logPartRows, logRowsOf, logTokensOf } from './log-token-chunks.js';

const BASE_MS = Date.parse('2026-11-19T00:00:00Z');

/** Requests of 1-6 lines each, their lines interleaved in time as a busy service logs them. */
function requestLines(count: number, seed: number): Record<string, unknown>[] {
  const random = seededRandom(seed);
  const lines: { at: number; line: Record<string, unknown> }[] = [];
  for (let q = 0; q < count; q++) {
    const start = q * 30 + Math.floor(random() * 30);
    const reqId = `r${q.toString(16).padStart(6, '0')}`;
    const user = `u-${Math.floor(random() * 40)}`;
    const host = `web-${Math.floor(random() * 4)}`;
    const n = 1 + Math.floor(random() * 6);
    for (let k = 0; k < n; k++) {
      const at = start + k * 37 + Math.floor(random() * 20);
      lines.push({ at, line: { ts: new Date(BASE_MS + at).toISOString(), req_id: reqId, user, host, msg: `step ${k} of request ${q}` } });
    }
  }
  lines.sort((a, b) => a.at - b.at);
  return lines.map((l) => l.line);
}

function batchOf(lines: readonly Record<string, unknown>[], stream = 'app'): LogBatch {
  const body = new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join('\n'));
  const { batch, errors } = decodeJsonLines(body, { stream, timeField: 'ts', severityField: '', receivedNs: 1n });
  assert.deepEqual(errors, []);
  return batch;
}

/** A staged file of the batches as the flush sees it (the fields logPartRows reads). */
function stagedOf(path: string, batches: LogBatch[]): StagedFile {
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const startNs = new BigInt64Array(rows);
  let r = 0;
  for (const b of batches) for (let i = 0; i < b.length; i++) startNs[r++] = b.timeUnixNano[i]!;
  return { path, rows, firstSeq: 0, lastSeq: 0, minStartNs: 0n, maxStartNs: 0n, traceIds: new Uint8Array(rows * 16), startNs, columns: [], layout: undefined, services: new Set(), sidecar: logTokensOf(batches) };
}

describe('correlation keys of log records', () => {
  it('chooses the field whose values repeat close by: the request id, not the user, host or message', () => {
    assert.equal(chooseKeyField([batchOf(requestLines(800, 1))]), 'req_id');
  });

  it('chooses none where no field repeats as a unit of work does', () => {
    const lines = Array.from({ length: 500 }, (_, i) => ({ id: `x${i}`, level: i % 3 ? 'info' : 'warn' }));
    assert.equal(chooseKeyField([batchOf(lines)]), undefined);
    assert.ok(correlationKeysOf([batchOf(lines)]).every((k) => k === 0));
  });

  it('uses the field the ingest named, also through the WAL record replay decodes', () => {
    const lines = requestLines(300, 4);
    const body = new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join('\n'));
    const options = { stream: 'app', timeField: 'ts', severityField: '', receivedNs: 1n, correlationField: 'host' };
    const replayed = decodeJsonLinesWalRecord(encodeJsonLinesWalRecord(options, body, false)).batch;
    for (const batch of [decodeJsonLines(body, options).batch, replayed]) {
      assert.equal(batch.correlationField, 'host');
      const keys = correlationKeysOf([batch]);
      // four hosts: four keys, equal where the host is
      const keyOfHost = new Map<string, number>();
      lines.forEach((l, i) => {
        const host = l['host'] as string;
        if (!keyOfHost.has(host)) keyOfHost.set(host, keys[i]!);
        assert.equal(keys[i], keyOfHost.get(host));
      });
      assert.equal(new Set(keyOfHost.values()).size, 4);
    }
    // not named: measured (the request id)
    const measured = correlationKeysOf([batchOf(lines)]);
    assert.equal(new Set(measured).size, new Set(lines.map((l) => l['req_id'])).size);
  });

  it('uses the trace id where most records have one', () => {
    const batch = batchOf(requestLines(100, 2));
    for (let i = 0; i < batch.length; i++) batch.traceId[i * 16 + (i % 16)] = 1 + (i % 5);
    const keys = correlationKeysOf([batch]);
    // byte i % 16 set to 1 + i % 5: one of 80 trace ids per row, each id one key
    const byTrace = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const id = Buffer.from(batch.traceId.subarray(i * 16, i * 16 + 16)).toString('hex');
      const key = keys[i]!;
      assert.notEqual(key, 0);
      if (byTrace.has(id)) assert.equal(byTrace.get(id), key);
      byTrace.set(id, key);
    }
  });
});

describe('log part order with correlation keys', () => {
  it('writes each unit of work together, in time order, units in order of their first row', () => {
    const lines = requestLines(600, 3);
    // two staged files, a request's lines possibly in both
    const files = [stagedOf('/s/000001.parquet', [batchOf(lines.slice(0, 700))]), stagedOf('/s/000002.parquet', [batchOf(lines.slice(700))])];
    const rows = logPartRows(logRowsOf(files), 0n, 2n ** 62n);
    assert.equal(rows.length, lines.length);
    const seen = new Set<string>();
    let lastUnitStart = -Infinity;
    let previous: Record<string, unknown> | undefined;
    for (const r of rows) {
      const line = lines[r]!;
      const t = Date.parse(line['ts'] as string);
      if (previous?.['req_id'] === line['req_id']) {
        assert.ok(t >= Date.parse(previous!['ts'] as string), 'a unit in time order');
      } else {
        assert.ok(!seen.has(line['req_id'] as string), `request ${line['req_id']} in one place`);
        seen.add(line['req_id'] as string);
        assert.ok(t >= lastUnitStart, `units by their first row: ${JSON.stringify(line)} after ${lastUnitStart} ${JSON.stringify(previous)}`);
        lastUnitStart = t;
      }
      previous = line;
    }
    assert.equal(seen.size, 600);
  });

  it('starts a new unit for a key seen again after LONGEST_UNIT_NS', () => {
    const stepMs = LONGEST_UNIT_NS / 1e6 / 2 + 1;
    // one request id over five times half the longest unit, another between
    const lines = [0, 1, 2, 3, 4].flatMap((k) => [
      { ts: new Date(BASE_MS + k * stepMs).toISOString(), req_id: 'long', msg: `a${k}` },
      { ts: new Date(BASE_MS + k * stepMs + 1).toISOString(), req_id: 'other', msg: `b${k}` },
      { ts: new Date(BASE_MS + k * stepMs + 2).toISOString(), req_id: 'other', msg: `c${k}` },
    ]);
    const batch = batchOf(lines);
    // the field is named by the caller here (a sample this small chooses none): keys by hand
    const tokens = logTokensOf([batch]);
    tokens.correlation.set(Array.from(lines, (l) => (l.req_id === 'long' ? 7 : 9)));
    const file = stagedOf('/s/000001.parquet', [batch]);
    file.sidecar = tokens;
    const order = [...logPartRows(logRowsOf([file]), 0n, 2n ** 62n)].map((r) => lines[r]!.msg);
    assert.deepEqual(order, ['a0', 'a1', 'b0', 'c0', 'b1', 'c1', 'a2', 'a3', 'b2', 'c2', 'b3', 'c3', 'a4', 'b4', 'c4']);
  });
});
