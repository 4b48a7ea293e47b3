// The JSON-lines scanner against the reference it stands in for: JSON.parse
// (with long integers kept exact) and flattenJsonObject. Every line, valid or
// mangled, must come out the same: accepted or not, and the same typed fields.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeBuilder } from '../model/span-batch-builder.js';
import { ValueType } from '../model/span-batch.js';
import { seededRandom } from '../model/seeded-random.js';
import { decodeJsonLines } from './json-lines-decode.js';
import { markLongIntegers, reviveMarkedIntegers } from './json-exact-integers.js';
import { flattenJsonObject } from './log-body-fields.js';
import { JsonLineScanner } from './json-lines-scan.js';

type Field = string; // "path type value", sortable

function fieldsOf(a: { length: number; key: string[]; type: Uint8Array; str: string[]; num: Float64Array; int: BigInt64Array; owner: Uint32Array }, owner: number): Field[] {
  const out: Field[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a.owner[i] !== owner) continue;
    const t = a.type[i]!;
    const v = t === ValueType.Int ? String(a.int[i]) : t === ValueType.Double ? (Object.is(a.num[i], -0) ? '-0' : String(a.num[i])) : t === ValueType.Bool ? String(a.num[i]) : JSON.stringify(a.str[i]);
    out.push(`${a.key[i]} ${t} ${v}`);
  }
  return out.sort();
}

/** The fields JSON.parse and flattenJsonObject make of a line; undefined when it is no JSON object. */
function reference(line: string): Field[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(markLongIntegers(line), reviveMarkedIntegers);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out = new AttributeBuilder();
  flattenJsonObject(v as Record<string, unknown>, out, 0);
  return fieldsOf(out, 0);
}

function scanned(line: string): Field[] | undefined {
  const out = new AttributeBuilder();
  if (!new JsonLineScanner('', '').scan(line, 0, line.length, out, 0)) return undefined;
  return fieldsOf(out, 0);
}

const LINES = [
  '{"a":1,"b":"x","c":{"d":[1,2,{"e":null}],"f":{}},"g":true,"h":false,"i":null}',
  '  {  "a" : -0 , "b" : 1.0 , "c" : 1e2 , "d" : -1.5e-3 , "e" : 0.1 , "f": 123456789012345 }  \r',
  '{"big":9007199254740993,"neg":-9223372036854775809,"arr":[9007199254740993],"d":1e300,"x":12345678901234567890.5}',
  '{"esc":"a\\"b\\\\c\\n\\u00e9\\ud83d\\ude00","k\\"ey":1,"\\u0061":2,"dots.in.key":3,"Upper":4,"^":5}',
  '{"é":"ünïcødé","emoji":"😀","nested":{"é":{"ü":1}}}',
  '{"dup":1,"dup":2}',
  '{"o":{"x":1},"o":{"y":2}}',
  '{"1":"int-like","b":2,"0":3}',
  '{"__proto__":{"x":1},"constructor":2}',
  '{}',
  '{"a":[]}',
  '{"a":[1,[2,[3]],{"b":"]}"}],"c":"[{"}',
];
const BAD = ['', ' ', '{', '}', '[1]', '"x"', '1', 'null', '{"a":}', '{"a":1,}', '{"a" 1}', '{a:1}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":1e}', '{"a":-}', '{"a":tru}', '{"a":"\t"}', '{"a":"\\x"}', '{"a":[1,]}', '{"a":1}x', '{"a":1} {"b":2}', '{"a":"x}', '{"a":+1}', '{"a":NaN}', '{"a":1,"b":{"c":1}'];

describe('JsonLineScanner', () => {
  it('makes the same fields as JSON.parse and flattenJsonObject, or leaves the line to them', () => {
    for (const line of [...LINES, ...BAD]) {
      const want = reference(line);
      const got = scanned(line);
      if (got !== undefined) assert.deepEqual(got, want, line);
    }
    // the common shapes are taken, not left to the slow path (the third has a long integer in an array)
    for (const line of [0, 1, 3, 4, 7, 8, 9, 10, 11].map((i) => LINES[i]!)) assert.notEqual(scanned(line), undefined, line);
    for (const line of LINES.slice(5, 7)) assert.equal(scanned(line), undefined, line);
    for (const line of BAD) assert.equal(scanned(line), undefined, line);
  });

  it('agrees with the reference on random records and random damage to them', () => {
    const r = seededRandom(42);
    const n = (m: number): number => Math.floor(r() * m);
    const keys = ['a', 'b', 'msg', 'http', 'status', 'x.y', 'Ünï', 'k"q', '', '0', '12'];
    const strings = ['', 'plain', 'with "quote"', 'back\\slash', 'tab\there', 'line\nbreak', 'é😀', '\u0000nul', '9007199254740993'];
    const numbers = ['0', '-0', '7', '-42', '3.25', '1e3', '2E-2', '9007199254740993', '-9223372036854775808', '99999999999999999999', '123456789012345', '0.1', '1.5e308'];
    const value = (depth: number): string => {
      switch (n(depth > 2 ? 5 : 7)) {
        case 0:
          return JSON.stringify(strings[n(strings.length)]);
        case 1:
          return numbers[n(numbers.length)]!;
        case 2:
          return ['true', 'false', 'null'][n(3)]!;
        case 3:
        case 4:
          return numbers[n(numbers.length)]!;
        case 5:
          return `[${Array.from({ length: n(3) }, () => value(depth + 1)).join(',')}]`;
        default:
          return object(depth + 1);
      }
    };
    const space = (): string => [' ', '', '', '\t', ''][n(5)]!;
    const object = (depth: number): string =>
      `{${Array.from({ length: n(5) }, () => `${space()}${JSON.stringify(keys[n(keys.length)])}${space()}:${space()}${value(depth)}${space()}`).join(',')}}`;
    let taken = 0;
    for (let k = 0; k < 3000; k++) {
      let line = object(0);
      if (k % 3 === 1) {
        const at = n(line.length);
        line = line.slice(0, at) + ['', '"', ',', '}', '{', '1', '\\', ' ', ']'][n(9)] + line.slice(at + n(2));
      }
      const want = reference(line);
      const got = scanned(line);
      if (got !== undefined) {
        taken++;
        assert.deepEqual(got, want, line);
      }
    }
    assert.ok(taken > 1000, `only ${taken} of 3000 lines taken by the scanner`);
  });

  it('gives decodeJsonLines the same records either way, time and severity included', () => {
    const lines = ['{"ts":"2026-03-01T10:00:00Z","level":"error","a":1}', '{"ts":1772359200,"level":17}', '{"ts":{"x":1}}', '{"level":{"x":"warn"},"ts":"2026-03-01T10:00:01Z"}', '{"ts":"2026-03-01T10:00:02Z","ts":"2026-03-01T10:00:03Z"}'];
    const { batch, errors } = decodeJsonLines(Buffer.from(lines.join('\n')), { stream: 's', timeField: 'ts', severityField: 'level', receivedNs: 1n });
    assert.deepEqual(errors.map((e) => e.line), [3]);
    assert.deepEqual([...batch.timeUnixNano], [1772359200_000_000_000n, 1772359200_000_000_000n, 1772359201_000_000_000n, 1772359203_000_000_000n]);
    assert.deepEqual([...batch.severityNumber], [17, 17, 0, 0]);
    assert.deepEqual(batch.severityText, ['error', '', '', '']);
    const none = decodeJsonLines(Buffer.from('{"":"error","level":"warn"}'), { stream: 's', timeField: '', severityField: '', receivedNs: 1n }).batch;
    assert.deepEqual([none.severityNumber[0], none.timeUnixNano[0]], [0, 1n], 'no severity or time field: not the key ""');
  });
});
