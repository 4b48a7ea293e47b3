import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueType } from '../model/span-batch.js';
import { fieldsOfRecord, type FieldColumn } from '../model/field-columns.js';
import { decodeJsonLines, rfc3339Nanos } from './json-lines-decode.js';
import { timeTextDigits } from '../parts/log-time-text.js';

const OPTIONS = { stream: 'app', timeField: 'ts', severityField: 'level', receivedNs: 5n };

function decode(text: string | Uint8Array) {
  return decodeJsonLines(typeof text === 'string' ? Buffer.from(text) : text, OPTIONS);
}

/** Record `record`'s fields as [path, type, value]. */
function fieldsOf(columns: readonly FieldColumn[], record: number): [string, number, unknown][] {
  return fieldsOfRecord(columns, record);
}

describe('decodeJsonLines', () => {
  it('flattens nested objects into typed dotted fields, arrays as JSON text', () => {
    const { batch, errors } = decode('{"ts":"2026-03-01T10:00:00.5Z","level":"warn","a":{"b":{"c":"d"},"n":2,"x":1.5},"arr":[1,{"k":null}],"e":{},"z":null,"t":true,"a.b":3}\n');
    assert.deepEqual(errors, []);
    assert.equal(batch.length, 1);
    assert.equal(batch.timeUnixNano[0], 1772359200_500_000_000n);
    assert.equal(batch.observedTimeUnixNano[0], 5n);
    assert.equal(batch.severityNumber[0], 13);
    assert.deepEqual(fieldsOf(batch.bodyFields, 0), [
      // the record's time as canonical text: stored as its fraction digits (log-time-text.ts)
      ['ts::time', ValueType.Int, 1n],
      ['level', ValueType.String, 'warn'],
      ['a.b.c', ValueType.String, 'd'],
      ['a.n', ValueType.Int, 2n],
      ['a.x', ValueType.Double, 1.5],
      ['arr', ValueType.Array, '[1,{"k":null}]'],
      ['e', ValueType.KvList, '{}'],
      ['z', ValueType.Empty, undefined],
      ['t', ValueType.Bool, 1],
      ['a^.b', ValueType.Int, 3n],
    ]);
  });

  it('keeps integers beyond 2^53 exact: int64 when they fit, else their digits as text', () => {
    const line = '{"id":9007199254740993,"neg":-9223372036854775808,"huge":123456789012345678901234,"arr":[18446744073709551615,2],"d":1e20,"s":"\\u0000x"}';
    const { batch, errors } = decode(line);
    assert.deepEqual(errors, []);
    assert.deepEqual(fieldsOf(batch.bodyFields, 0), [
      ['id', ValueType.Int, 9007199254740993n],
      ['neg', ValueType.Int, -9223372036854775808n],
      ['huge', ValueType.String, '123456789012345678901234'],
      ['arr', ValueType.Array, '[18446744073709551615,2]'],
      ['d', ValueType.Double, 1e20],
      ['s', ValueType.String, '\u0000x'],
    ]);
  });

  it('reads a time field given as exact integer nanoseconds, and unix times by magnitude', () => {
    const { batch } = decode(['{"ts":1772359200000000001}', '{"ts":1772359200}', '{"ts":1772359200123}', '{"ts":"1772359200000000007"}'].join('\n'));
    assert.deepEqual([...batch.timeUnixNano], [1772359200000000001n, 1772359200_000_000_000n, 1772359200_123_000_000n, 1772359200000000007n]);
  });

  it('stores the good lines and names each bad one: JSON, not an object, bad time, bad UTF-8', () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
    const body = Buffer.concat([Buffer.from('{"a":1}\n{"broken":\n\n[1]\n{"ts":"yesterday"}\n'), bad, Buffer.from('\r\n{"a":2}\r\n')]);
    const { batch, errors } = decode(body);
    assert.equal(batch.length, 2);
    assert.deepEqual(
      errors.map((e) => e.line),
      [2, 4, 5, 6],
    );
    assert.match(errors[0]!.reason, /^not valid JSON/);
    assert.match(errors[1]!.reason, /expected a JSON object, got an array/);
    assert.match(errors[2]!.reason, /field "ts" is not a time: "yesterday"/);
    assert.equal(errors[3]!.reason, 'not valid UTF-8');
    assert.deepEqual([fieldsOf(batch.bodyFields, 0), fieldsOf(batch.bodyFields, 1)], [[['a', ValueType.Int, 1n]], [['a', ValueType.Int, 2n]]]);
  });
});

describe('decodeJsonLines time and severity fields', () => {
  it('takes them from top-level fields only, the last of a repeated key, and never from the key ""', () => {
    const lines = ['{"ts":"2026-03-01T10:00:00Z","level":"error","a":1}', '{"ts":1772359200,"level":17}', '{"ts":{"x":1}}', '{"level":{"x":"warn"},"ts":"2026-03-01T10:00:01Z"}', '{"ts":"2026-03-01T10:00:02Z","ts":"2026-03-01T10:00:03Z"}'];
    const { batch, errors } = decodeJsonLines(Buffer.from(lines.join('\n')), { stream: 's', timeField: 'ts', severityField: 'level', receivedNs: 1n });
    assert.deepEqual(errors.map((e) => e.line), [3]);
    assert.deepEqual([...batch.timeUnixNano], [1772359200_000_000_000n, 1772359200_000_000_000n, 1772359201_000_000_000n, 1772359203_000_000_000n]);
    assert.deepEqual([...batch.severityNumber], [17, 17, 0, 0]);
    assert.deepEqual(batch.severityText, ['error', '', '', '']);
    const none = decodeJsonLines(Buffer.from('{"":"error","level":"warn"}'), { stream: 's', timeField: '', severityField: '', receivedNs: 1n }).batch;
    assert.deepEqual([none.severityNumber[0], none.timeUnixNano[0]], [0, 1n]);
  });
});

describe('decodeJsonLines: the time field as a body field', () => {
  it('stores it as the row time\'s fraction digits exactly when timeTextDigits says it is the canonical text, in every form the time field takes', () => {
    const times = [
      '2026-03-01T10:00:00Z', '2026-03-01T10:00:00.5Z', '2026-03-01T10:00:00.000237Z', '2026-03-01T10:00:00.123456789Z', '2026-03-01T10:00:00.000000000Z',
      '2026-03-01t10:00:00.5Z', '2026-03-01T10:00:00.5z', '2026-03-01 10:00:00.5Z', ' 2026-03-01T10:00:00.5Z', '2026-03-01T10:00:00.5Z ',
      '2026-03-01T10:00:00.5+00:00', '2026-03-01T12:00:00.5+0200', '2026-03-01T10:00:00', '2026-03-01T10:00:00.25',
      '1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:01Z', '1969-12-31T23:59:59.5Z', '2200-12-31T23:59:59.999999999Z', '0001-01-01T00:00:00Z',
    ];
    const lines = times.map((ts) => JSON.stringify({ ts, copy: ts, other: '2026-03-01T10:00:00.5Z' })).join('\n');
    const { batch, errors } = decode(lines);
    assert.deepEqual(errors, []);
    assert.equal(batch.length, times.length);
    for (let r = 0; r < times.length; r++) {
      const rowTime = batch.timeUnixNano[r] !== 0n ? batch.timeUnixNano[r]! : batch.observedTimeUnixNano[r]!;
      // the reference: each text field read against the row time on its own
      const expected = (path: string, text: string): [string, number, unknown] => {
        const digits = timeTextDigits(text, rowTime);
        return digits >= 0 ? [`${path}::time`, ValueType.Int, BigInt(digits)] : [path, ValueType.String, text];
      };
      const byPath = new Map(fieldsOf(batch.bodyFields, r).map((f) => [f[0].replace('::time', ''), f]));
      for (const [path, text] of [['ts', times[r]!], ['copy', times[r]!], ['other', '2026-03-01T10:00:00.5Z']] as const) {
        assert.deepEqual(byPath.get(path), expected(path, text), `${JSON.stringify(times[r])}: ${path}`);
      }
    }
  });
});

describe('decodeJsonLines: field columns sized by the last body', () => {
  it('holds every value of bodies larger and smaller than the one before, in arrays exactly as long as their columns', () => {
    const record = (body: number, i: number) => ({ n: body * 1000 + i, s: `v${i % 7}`, ...(i % 3 === 0 ? { sparse: i / 2 } : {}), ...(i % 4 === 0 ? { nested: { flag: i % 8 === 0 } } : {}) });
    for (const [body, lines] of [[1, 40], [2, 300], [3, 300], [4, 17], [5, 1000]] as const) {
      const { batch, errors } = decode(Array.from({ length: lines }, (_, i) => JSON.stringify(record(body, i))).join('\n'));
      assert.deepEqual(errors, []);
      for (let i = 0; i < lines; i++) {
        const r = record(body, i);
        const expected: [string, number, unknown][] = [['n', ValueType.Int, BigInt(r.n)], ['s', ValueType.String, r.s]];
        if (r.sparse !== undefined) expected.push(Number.isInteger(r.sparse) ? ['sparse', ValueType.Int, BigInt(r.sparse)] : ['sparse', ValueType.Double, r.sparse]);
        if (r.nested !== undefined) expected.push(['nested.flag', ValueType.Bool, r.nested.flag ? 1 : 0]);
        const order = new Map(batch.bodyFields.map((c, k) => [c.key + c.type, k]));
        expected.sort((a, b) => order.get(a[0] + a[1])! - order.get(b[0] + b[1])!);
        assert.deepEqual(fieldsOf(batch.bodyFields, i), expected, `body ${body}, line ${i}`);
      }
      for (const c of batch.bodyFields) {
        assert.equal(c.rows.length, c.length, `${c.key}: rows`);
        assert.equal(c.int.length + c.num.length, c.type === ValueType.String || c.type === ValueType.Empty ? 0 : c.length, `${c.key}: values`);
      }
    }
  });
});

describe('rfc3339Nanos', () => {
  it('reads RFC 3339 times with up to nanoseconds and any zone, and refuses the rest', () => {
    const base = 1772359200_000_000_000n; // 2026-03-01T10:00:00Z
    assert.equal(rfc3339Nanos('2026-03-01T10:00:00Z'), base);
    assert.equal(rfc3339Nanos('2026-03-01t10:00:00.123456789z'), base + 123_456_789n);
    assert.equal(rfc3339Nanos(' 2026-03-01 10:00:00.1 '), base + 100_000_000n);
    assert.equal(rfc3339Nanos('2026-03-01T12:30:00+02:30'), base);
    assert.equal(rfc3339Nanos('2026-03-01T08:00:00-0200'), base);
    assert.equal(rfc3339Nanos('1969-12-31T23:59:59.5Z'), -500_000_000n);
    assert.equal(rfc3339Nanos('2024-02-29T00:00:00Z'), BigInt(Date.parse('2024-02-29T00:00:00Z')) * 1_000_000n);
    for (const bad of ['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-01T24:00:00Z', '2026-03-01T10:00:00.Z', '2026-03-01T10:00:00.1234567890Z', '2026-03-01T10:00:00+2', '2026-03-01', 'x026-03-01T10:00:00Z', '2026-03-01T10:00:00Zz']) {
      assert.equal(rfc3339Nanos(bad), undefined, bad);
    }
  });
});
