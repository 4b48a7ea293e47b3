import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueType } from '../model/span-batch.js';
import { attributeColumnName, parseAttributeColumnName } from './schema.js';

describe('attribute column names', () => {
  it('leaves ordinary semantic-convention keys readable', () => {
    assert.equal(attributeColumnName('span', 'http.route', ValueType.String), 'span.http.route');
    assert.equal(attributeColumnName('span', 'http.response.status_code', ValueType.Int), 'span.http.response.status_code::int');
  });

  it('keeps keys apart that DuckDB would otherwise merge', () => {
    const names = [
      attributeColumnName('span', 'x::int', ValueType.String),
      attributeColumnName('span', 'x', ValueType.Int),
      attributeColumnName('span', 'foo', ValueType.String),
      attributeColumnName('span', 'Foo', ValueType.String),
      attributeColumnName('span', 'FOO', ValueType.String),
    ];
    assert.equal(new Set(names.map((n) => n.toLowerCase())).size, names.length);
  });

  it('parses every name back to its scope, key and type', () => {
    const keys = ['a', 'x::int', 'Foo.Bar', 'we^ird', 'a:b', 'a:', ':', '^', '^^a', 'ÄÖ', 'k8s.pod.name', ''];
    const types = [ValueType.String, ValueType.Int, ValueType.Double, ValueType.Bool, ValueType.Bytes, ValueType.Array, ValueType.KvList, ValueType.Empty];
    for (const key of keys) {
      for (const type of types) {
        for (const scope of ['span', 'resource', 'scope'] as const) {
          assert.deepEqual(parseAttributeColumnName(attributeColumnName(scope, key, type)), { scope, key, type }, `${scope} ${key} ${type}`);
        }
      }
    }
  });
});
