import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EARLY_CHECK_VALUES, StringEntries } from './strings.js';

/** The entries back as strings, from their PLAIN bytes (`u32 length, bytes` each). */
function decoded(entries: StringEntries): string[] {
  const { entries: bytes, entryStarts } = entries.encoded();
  const out: string[] = [];
  for (let e = 0; e + 1 < entryStarts.length; e++) {
    const at = entryStarts[e]!;
    const length = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
    assert.equal(at + 4 + length, entryStarts[e + 1], `entry ${e} ends where the next starts`);
    out.push(Buffer.from(bytes.subarray(at + 4, at + 4 + length)).toString('utf8'));
  }
  return out;
}

describe('StringEntries', () => {
  it('numbers distinct values in first-seen order and encodes them as UTF-8', () => {
    const entries = new StringEntries();
    const numbers = ['GET', 'POST', 'GET', '', 'ünïcode ✓', 'POST', ''].map((v) => entries.entry(v));
    assert.deepEqual(numbers, [0, 1, 0, 2, 3, 1, 2]);
    assert.equal(entries.distinct, true);
    assert.deepEqual(decoded(entries), ['GET', 'POST', '', 'ünïcode ✓']);
  });

  it('stops looking values up once nearly every value has been new: each later value is an entry of its own', () => {
    const entries = new StringEntries();
    const values = Array.from({ length: EARLY_CHECK_VALUES + 10 }, (_, i) => `user-${i}`);
    values.push('user-0', 'user-0');
    const numbers = values.map((v) => entries.entry(v));
    assert.equal(entries.distinct, false);
    // 'user-0' again is a new entry; the run of it, one
    const unique = values.length - 1;
    assert.equal(entries.count, unique);
    assert.deepEqual(numbers, [...values.slice(0, unique).map((_, i) => i), unique - 1]);
    assert.deepEqual(decoded(entries), values.slice(0, unique));
  });

  it('keeps looking values up in a column that repeats them', () => {
    const entries = new StringEntries();
    for (let i = 0; i < EARLY_CHECK_VALUES * 3; i++) entries.entry(`route-${i % 50}`);
    assert.equal(entries.distinct, true);
    assert.equal(entries.count, 50);
  });
});
