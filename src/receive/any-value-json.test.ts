import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../model/errors.js';
import {
  base64FromJson,
  canonicalAnyValueJson,
  doubleFromJson,
  doubleJson,
  int64FromJson,
  keyValueJson,
  wellFormedString,
} from './any-value-json.js';

const canonical = (value: unknown): string => canonicalAnyValueJson(value);

describe('canonicalAnyValueJson', () => {
  it('writes each scalar kind with exactly one key and no whitespace', () => {
    assert.equal(canonical({ stringValue: 'x' }), '{"stringValue":"x"}');
    assert.equal(canonical({ boolValue: false }), '{"boolValue":false}');
    assert.equal(canonical({ intValue: '123' }), '{"intValue":"123"}');
    assert.equal(canonical({ doubleValue: 1.5 }), '{"doubleValue":1.5}');
    assert.equal(canonical({ bytesValue: 'AAEC' }), '{"bytesValue":"AAEC"}');
    assert.equal(canonical({}), '{}');
  });

  it('writes arrays and kvlists recursively, keys in order key then value', () => {
    const value = {
      kvlistValue: {
        values: [
          { value: { arrayValue: { values: [{ intValue: 1 }, {}, { kvlistValue: {} }] } }, key: 'a' },
          { key: 'b' },
        ],
      },
    };
    assert.equal(
      canonical(value),
      '{"kvlistValue":{"values":[{"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"},{},{"kvlistValue":{"values":[]}}]}}},{"key":"b","value":{}}]}}',
    );
    assert.equal(canonical({ arrayValue: {} }), '{"arrayValue":{"values":[]}}');
  });

  it('accepts intValue as a number or a decimal string across the whole int64 range', () => {
    assert.equal(canonical({ intValue: -42 }), '{"intValue":"-42"}');
    assert.equal(canonical({ intValue: '-9223372036854775808' }), '{"intValue":"-9223372036854775808"}');
    assert.equal(canonical({ intValue: '9223372036854775807' }), '{"intValue":"9223372036854775807"}');
    assert.throws(() => canonical({ intValue: '9223372036854775808' }), DecodeError);
    assert.throws(() => canonical({ intValue: 1.5 }), DecodeError);
    assert.throws(() => canonical({ intValue: '12abc' }), DecodeError);
    assert.throws(() => canonical({ intValue: true }), DecodeError);
  });

  it('writes NaN and infinities as proto3 JSON strings and keeps negative zero', () => {
    assert.equal(canonical({ doubleValue: 'NaN' }), '{"doubleValue":"NaN"}');
    assert.equal(canonical({ doubleValue: 'Infinity' }), '{"doubleValue":"Infinity"}');
    assert.equal(canonical({ doubleValue: '-Infinity' }), '{"doubleValue":"-Infinity"}');
    assert.equal(canonical({ doubleValue: -0 }), '{"doubleValue":-0}');
    assert.equal(canonical({ doubleValue: '2.5' }), '{"doubleValue":2.5}');
    assert.equal(canonical({ doubleValue: 1e21 }), '{"doubleValue":1e+21}');
    assert.ok(Object.is(JSON.parse('{"v":-0}').v, -0), 'the -0 token parses back to negative zero');
    assert.throws(() => canonical({ doubleValue: 'fast' }), DecodeError);
    assert.throws(() => canonical({ doubleValue: '' }), DecodeError);
  });

  it('normalises base64 to the standard padded alphabet and refuses what is not base64', () => {
    assert.equal(canonical({ bytesValue: '-_8' }), '{"bytesValue":"+/8="}');
    assert.equal(canonical({ bytesValue: '' }), '{"bytesValue":""}');
    assert.throws(() => canonical({ bytesValue: 'a*b=' }), DecodeError);
    assert.throws(() => canonical({ bytesValue: 'abcde' }), DecodeError);
    assert.throws(() => canonical({ bytesValue: 7 }), DecodeError);
  });

  it('accepts snake_case field names and treats null as unset', () => {
    assert.equal(canonical({ string_value: 'x' }), '{"stringValue":"x"}');
    assert.equal(canonical({ kvlist_value: { values: [{ key: 'k', value: { int_value: '1' } }] } }), '{"kvlistValue":{"values":[{"key":"k","value":{"intValue":"1"}}]}}');
    assert.equal(canonical({ stringValue: null, boolValue: true }), '{"boolValue":true}');
    assert.equal(canonical(null), '{}');
    assert.equal(canonical({ arrayValue: { values: [null] } }), '{"arrayValue":{"values":[{}]}}');
  });

  it('ignores unknown fields', () => {
    assert.equal(canonical({ stringValue: 'x', futureField: 1 }), '{"stringValue":"x"}');
  });

  it('refuses values of the wrong shape with a DecodeError naming the problem', () => {
    assert.throws(() => canonical({ stringValue: 'x', intValue: '1' }), /otlp-json: AnyValue sets both stringValue and intValue/);
    assert.throws(() => canonical({ stringValue: 1 }), DecodeError);
    assert.throws(() => canonical({ boolValue: 'true' }), DecodeError);
    assert.throws(() => canonical('x'), DecodeError);
    assert.throws(() => canonical([]), DecodeError);
    assert.throws(() => canonical({ arrayValue: { values: {} } }), DecodeError);
    assert.throws(() => canonical({ arrayValue: [] }), DecodeError);
    assert.throws(() => canonical({ kvlistValue: { values: [1] } }), DecodeError);
    assert.throws(() => canonical({ kvlistValue: { values: [{ key: 1 }] } }), DecodeError);
  });

  it('accepts 64 levels of nesting and refuses 65', () => {
    const nested = (levels: number): unknown => {
      let v: unknown = { stringValue: 'leaf' };
      for (let l = 1; l < levels; l++) v = { arrayValue: { values: [v] } };
      return v;
    };
    assert.ok(canonical(nested(64)).includes('"leaf"'));
    assert.throws(() => canonical(nested(65)), /nested deeper than 64/);
  });

  it('escapes strings as JSON and replaces lone surrogates as a UTF-8 round trip would', () => {
    assert.equal(canonical({ stringValue: 'a"b\\c\n\u0001é🚀' }), '{"stringValue":"a\\"b\\\\c\\n\\u0001é🚀"}');
    assert.equal(canonical({ stringValue: 'x\uD800y' }), '{"stringValue":"x\uFFFDy"}');
    assert.equal(wellFormedString('\uDC00\uD83D\uDE80\uD83D'), '\uFFFD🚀\uFFFD');
    assert.equal(keyValueJson('k"', '{}'), '{"key":"k\\"","value":{}}');
  });
});

describe('scalar helpers', () => {
  it('parse OTLP/JSON ints, doubles and bytes the way canonicalAnyValueJson does', () => {
    assert.equal(int64FromJson('-7'), -7n);
    assert.equal(int64FromJson(7), 7n);
    assert.ok(Number.isNaN(doubleFromJson('NaN')));
    assert.equal(doubleFromJson(-Infinity), -Infinity);
    assert.equal(base64FromJson('AQ'), 'AQ==');
    assert.equal(doubleJson(-0), '-0');
    assert.equal(doubleJson(0.1), '0.1');
  });
});
