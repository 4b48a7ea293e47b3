import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EARLY_CHECK_VALUES, StringEntries, firstEqualEntries } from './strings.js';
import { ownEntriesColumn, seededRandom } from './testing.js';

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

  it('with `own`, makes every value an entry of its own in the order added, repeats and runs included', () => {
    const entries = new StringEntries(true);
    const values = ['a', 'a', 'b', 'a', 'ünïcode ✓', ''];
    assert.deepEqual(values.map((v) => entries.entry(v)), [0, 1, 2, 3, 4, 5]);
    assert.equal(entries.distinct, false);
    assert.deepEqual(decoded(entries), values);
  });

  it('says a column is mostly new once more than half of its values looked up were', () => {
    const mostlyNew = (share: number): boolean => {
      const entries = new StringEntries();
      // repeats alternate: a run of one value is not looked up
      for (let i = 0; i < EARLY_CHECK_VALUES; i++) entries.entry(i < EARLY_CHECK_VALUES * share ? `m-${i}` : `m-${i % 2}`);
      return entries.mostlyNew();
    };
    assert.equal(mostlyNew(0.6), true);
    assert.equal(mostlyNew(0.4), false);
    const few = new StringEntries();
    for (let i = 0; i < 100; i++) few.entry(`m-${i}`);
    assert.equal(few.mostlyNew(), false, 'not from fewer values than the early check');
  });

  it('keeps looking values up in a column that repeats them', () => {
    const entries = new StringEntries();
    for (let i = 0; i < EARLY_CHECK_VALUES * 3; i++) entries.entry(`route-${i % 50}`);
    assert.equal(entries.distinct, true);
    assert.equal(entries.count, 50);
  });
});

describe('firstEqualEntries', () => {
  it('gives each entry the first of equal bytes, as a map of the strings does, for short and long entries that differ in one byte anywhere', () => {
    const random = seededRandom(5);
    const long = 'x'.repeat(300);
    // values that share a length and all but one byte (at the start, middle or end), repeated in any order
    const values = Array.from({ length: 3000 }, () => {
      const v = Math.floor(random() * 400);
      const at = v % 3;
      const tag = String.fromCharCode(97 + (v % 26));
      const body = v % 2 === 0 ? long : 'id-';
      return at === 0 ? `${tag}${body}${v >> 5}` : at === 1 ? `${body.slice(0, body.length >> 1)}${tag}${body.slice(body.length >> 1)}${v >> 5}` : `${body}${v >> 5}${tag}`;
    });
    // two values whose hashes are equal: only their bytes tell them apart
    const colliding = ['0pz' + 'x'.repeat(40) + '001o', '0p' + 'x'.repeat(41) + '00a0'];
    values.push('', '', 'é', 'é', ...colliding, ...colliding);
    const column = ownEntriesColumn('values', values);
    if (column.kind !== 'string-entries') throw new Error('string entries expected');
    const { entries, entryStarts } = column;
    const first = new Map<string, number>();
    const expected = values.map((v, e) => first.get(v) ?? (first.set(v, e), e));
    assert.deepEqual([...firstEqualEntries(entries, entryStarts, values.length)], expected);
  });
});
