import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogQuery } from './log-query.js';
import { logPredicateSql } from './log-sql.js';

describe('log query language', () => {
  it('parses selectors, line filters, stages and bare words', () => {
    assert.deepEqual(parseLogQuery('{service="cart", stream!="x"} |= "Connection refused" != debug |~ "id=[0-9]+" | severity >= WARN | http.status >= 500 timeout'), {
      conditions: [
        { field: 'service', op: '=', value: 'cart' },
        { field: 'stream', op: '!=', value: 'x' },
        { field: 'severity', op: '>=', value: 'WARN' },
        { field: 'http.status', op: '>=', value: 500 },
      ],
      terms: [
        { words: ['connection', 'refused'], negate: false },
        { words: ['debug'], negate: true },
        { words: ['timeout'], negate: false },
      ],
      regexes: ['id=[0-9]+'],
    });
  });

  it('reads a bare comparison as a condition and refuses what it cannot parse', () => {
    assert.deepEqual(parseLogQuery('user.tier = "gold"').conditions, [{ field: 'user.tier', op: '=', value: 'gold' }]);
    assert.throws(() => parseLogQuery('{service="cart"'), /expected "}"/);
    assert.throws(() => parseLogQuery('"unterminated'), /unterminated string/);
    assert.throws(() => parseLogQuery('|= "!!!"'), /no words/);
  });

  it('compiles a condition against the columns a file has, in every stored type', () => {
    const sql = logPredicateSql(parseLogQuery('value >= 40'), new Set(['body.value', 'body.value::int', 'log.value::double']));
    assert.match(sql, /"body.value::int" >= 40/);
    assert.match(sql, /"log.value::double" >= 40/);
    assert.doesNotMatch(sql, /"body.value" >=/, 'a number is not compared with the text form');
    assert.equal(logPredicateSql(parseLogQuery('missing = 1'), new Set(['body'])), 'FALSE');
    assert.equal(logPredicateSql(parseLogQuery('| missing != 1'), new Set(['body'])), 'TRUE');
  });
});
