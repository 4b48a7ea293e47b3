import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { Rng } from '../loadgen/rng.js';
import { generateTraces } from '../loadgen/trace-generator.js';
import { JsonEntriesColumn, writeEventsJson } from './otlp-json-bytes.js';
import { FRESH_ARRAYS } from './column-array-pool.js';
import { compactEventsEntry, compactEventsJson, expandEvents, expandEventsSql, startWordsOf } from './events-compact.js';
import { ownEntriesColumn, queryRows, sqlString, withDuckDB } from './parquet/testing.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface StringEntries {
  entries: Uint8Array;
  entryStarts: Uint32Array;
  indices: Uint32Array;
  nulls: Uint8Array;
}

/** Every row's events in compact form by compactEventsEntry, one entry per row with events, as the flush's worker writes a run's (sorted-run.ts). */
function compactEventsColumn(events: StringEntries, startNs: BigInt64Array): StringEntries {
  const { entries, entryStarts, indices, nulls } = events;
  // room for each row's entry (rows may share one); the compact form is shorter
  const out = new Uint8Array(indices.reduce((bytes, entry, k) => (nulls[k] !== 0 ? bytes : bytes + entryStarts[entry + 1]! - entryStarts[entry]!), 0));
  const outStarts: number[] = [];
  const outIndices = new Uint32Array(indices.length);
  const startWords = startWordsOf(startNs);
  let at = 0;
  indices.forEach((entry, k) => {
    if (nulls[k] !== 0) return;
    outIndices[k] = outStarts.length;
    outStarts.push(at);
    at = compactEventsEntry(entries, entryStarts[entry]!, entryStarts[entry + 1]!, startWords, k, out, at);
  });
  outStarts.push(at);
  return { entries: out.subarray(0, at), entryStarts: Uint32Array.from(outStarts), indices: outIndices, nulls };
}

function compact(json: string, startNs: bigint): string {
  const bytes = encoder.encode(json);
  const out = new Uint8Array(bytes.length);
  return decoder.decode(out.subarray(0, compactEventsJson(bytes, 0, bytes.length, startNs, out, 0)));
}

/** Events JSON as otlp-json-bytes.ts writes it, with names and values that look like the structure around them. */
const TRICKY = [
  {
    json:
      '[{"timeUnixNano":"1795292124954051704","name":"message","attributes":[{"key":"message.type","value":{"stringValue":"SENT"}},{"key":"message.id","value":{"intValue":"1"}}],"droppedAttributesCount":0},' +
      '{"timeUnixNano":"1795292124955506438","name":"a\\"],[1,\\\\","attributes":[{"key":"k]}","value":{"stringValue":"[{\\"x\\u00e9 😀"}},{"key":"d","value":{"doubleValue":-0}},' +
      '{"key":"kv","value":{"kvlistValue":{"values":[{"key":"n","value":{"arrayValue":{"values":[{"intValue":"-3"}]}}}]}}}],"droppedAttributesCount":7}]',
    startNs: 1795292124950000000n,
  },
  // an unset time (0) and the largest uint64, far from the start: offsets beyond 2^53, kept as strings
  { json: '[{"timeUnixNano":"0","name":"","attributes":[],"droppedAttributesCount":0},{"timeUnixNano":"18446744073709551615","name":"x","attributes":[],"droppedAttributesCount":0}]', startNs: -5n },
  { json: '[]', startNs: 1n },
];

describe('events_compact', () => {
  it('drops the keys, counts times from the span start, keeps names and attributes byte for byte', () => {
    const [first] = TRICKY;
    const text = compact(first!.json, first!.startNs);
    assert.ok(text.startsWith('[[4051704,"message",[{"key":"message.type","value":{"stringValue":"SENT"}},{"key":"message.id","value":{"intValue":"1"}}]],[5506438,"a\\"],[1,\\\\",[{"key":"k]}"'));
    assert.ok(text.endsWith(',{"key":"d","value":{"doubleValue":-0}},{"key":"kv","value":{"kvlistValue":{"values":[{"key":"n","value":{"arrayValue":{"values":[{"intValue":"-3"}]}}}]}}}],7]]'));
    assert.equal(compact(TRICKY[1]!.json, TRICKY[1]!.startNs), '[[5,"",[]],["18446744073709551620","x",[]]]');
  });

  it('expands back to the OTLP JSON events, in JavaScript and in DuckDB', async () => {
    await withDuckDB(async (connection) => {
      for (const { json, startNs } of TRICKY) {
        const text = compact(json, startNs);
        assert.deepEqual(expandEvents(text, startNs), JSON.parse(json));
        const [row] = await queryRows(connection, `SELECT CAST(to_json(${expandEventsSql('c', 's')}) AS VARCHAR) AS j FROM (SELECT ${sqlString(text)} AS c, CAST(${startNs} AS BIGINT) AS s)`);
        // DuckDB writes -0 as 0 and \u00e9 as é: equal as JSON, not as text
        const expected = JSON.parse(json.replace('{"doubleValue":-0}', '{"doubleValue":0}')) as unknown;
        assert.deepEqual(JSON.parse(String(row!['j'])), expected);
      }
    });
  });

  it('round-trips the events of generated traces (exceptions, messages, retries) row by row', () => {
    const builder = new SpanBatchBuilder();
    generateTraces(builder, { traces: 200, rng: new Rng(5), nowUnixNano: 1_795_000_000_000_000_000n, errorRate: 0.3 });
    const batch = builder.finish();
    // the column as a staging file holds it and the flush's worker reads it: entries (u32 length, bytes), an index per row, nulls
    const column = new JsonEntriesColumn('events', batch.length, FRESH_ARRAYS);
    writeEventsJson(column, batch.events, batch.length, 0);
    const written = column.toParquet();
    assert.equal(written.kind, 'string-entries');
    if (written.kind !== 'string-entries') return;
    const { entries, entryStarts, indices } = written;
    const nulls = written.nulls!;
    const json = Array.from(indices, (e, i) => (nulls[i] ? undefined : decoder.decode(entries.subarray(entryStarts[e]! + 4, entryStarts[e + 1]!))));
    const out = compactEventsColumn({ entries, entryStarts, indices, nulls }, batch.startTimeUnixNano);
    let withEvents = 0;
    let exceptions = 0;
    for (let i = 0; i < batch.length; i++) {
      if (json[i] === undefined) continue;
      withEvents++;
      const e = out.indices[i]!;
      const text = decoder.decode(out.entries.subarray(out.entryStarts[e]! + 4, out.entryStarts[e + 1]!));
      assert.deepEqual(expandEvents(text, batch.startTimeUnixNano[i]!), JSON.parse(json[i]!));
      if (text.includes('"exception"')) exceptions++;
    }
    assert.ok(withEvents > 100 && exceptions > 5, `${withEvents} spans with events, ${exceptions} with exceptions`);
    assert.ok(out.entries.length < entries.length * 0.8, `compact ${out.entries.length} of ${entries.length} bytes`);
  });

  it('compacts a column with its starts read as 32-bit halves as compactEventsJson does with BigInts, negative and far starts too', () => {
    const rows = [...TRICKY, { json: TRICKY[0]!.json, startNs: -1795292124950000000n }, { json: TRICKY[0]!.json, startNs: -9_000_000_000_000_000_123n }];
    const column = ownEntriesColumn('events', rows.map((r) => r.json));
    assert.equal(column.kind, 'string-entries');
    if (column.kind !== 'string-entries') return;
    const out = compactEventsColumn({ ...column, nulls: column.nulls! }, BigInt64Array.from(rows, (r) => r.startNs));
    rows.forEach((r, k) => {
      const e = out.indices[k]!;
      assert.equal(decoder.decode(out.entries.subarray(out.entryStarts[e]! + 4, out.entryStarts[e + 1]!)), compact(r.json, r.startNs), `row ${k}`);
    });
  });

  it('refuses JSON it did not write, so the flush keeps the rows as they are', () => {
    assert.throws(() => compact('[{"name":"x","timeUnixNano":"1","attributes":[],"droppedAttributesCount":0}]', 0n), /not canonical/);
    assert.throws(() => compact('[{"timeUnixNano":"1","name":"x","attributes":[],"droppedAttributesCount":0}', 0n), /event|comma|end/);
  });
});
