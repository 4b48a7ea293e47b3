import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timeText, timeTextDigits } from './log-time-text.js';
import { rfc3339Nanos } from '../receive/json-lines-decode.js';
import { seededRandom } from '../model/seeded-random.js';

describe('log time text', () => {
  it('stores a canonical time text as its fraction digits and rebuilds it exactly', () => {
    for (const text of ['2026-11-19T00:00:00Z', '2026-11-19T00:00:00.1Z', '2026-11-19T23:59:59.123Z', '2026-11-19T00:00:00.000237Z', '2026-11-19T00:00:00.120000Z', '1970-01-01T00:00:00.000000001Z']) {
      const ns = rfc3339Nanos(text)!;
      const digits = timeTextDigits(text, ns);
      assert.equal(digits, text.length === 20 ? 0 : text.length - 21, text);
      assert.equal(timeText(ns, digits), text);
    }
  });

  it('keeps as text anything the rebuild would not reproduce', () => {
    const ns = rfc3339Nanos('2026-11-19T10:00:00.5Z')!;
    for (const text of ['2026-11-19T10:00:00.5+00:00', '2026-11-19T10:00:00.5z', '2026-11-19 10:00:00.5Z', '2026-11-19T10:00:00.50000000000Z', '2026-11-19T10:00:00.4Z', 'not a time at all, 2026-11-19TZ']) {
      assert.equal(timeTextDigits(text, ns), -1, text);
    }
    assert.equal(timeTextDigits('1969-12-31T23:59:59Z', -1_000_000_000n), -1, 'before 1970');
  });

  it('says a text is its time exactly when rebuilding the time gives the text back', () => {
    const random = seededRandom(7);
    let matches = 0;
    for (let k = 0; k < 20_000; k++) {
      // times from 1970 to 2300, some on whole seconds, days and month ends
      let ns = BigInt(Math.floor(random() * 1e10)) * 1_000_000_000n + BigInt(Math.floor(random() * 1e9));
      if (k % 7 === 0) ns -= ns % 1_000_000_000n;
      if (k % 11 === 0) ns -= ns % 86_400_000_000_000n;
      const digits = Math.floor(random() * 10);
      const text = timeText(ns, digits)!;
      // the text itself, and near misses: the time a little off, a digit changed, a field out of range
      const near = [ns, ns + 1n, ns - 1n, ns + 10n ** BigInt(9 - digits), ns + 1_000_000_000n, ns - 86_400_000_000_000n];
      for (const t of near) {
        const expected = t >= 0n && timeText(t, digits) === text ? digits : -1;
        assert.equal(timeTextDigits(text, t), expected, `${text} at ${t}`);
        if (expected >= 0) matches++;
      }
      const at = Math.floor(random() * text.length);
      const changed = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);
      assert.equal(timeTextDigits(changed, ns), timeText(ns, digits) === changed ? digits : -1, changed);
    }
    assert.ok(matches >= 20_000);
    for (const text of ['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-19T24:00:00Z', '2026-11-19T23:60:00Z', '2026-11-19T23:59:60Z', '2026-11-31T00:00:00Z']) {
      assert.equal(timeTextDigits(text, rfc3339Nanos(text.replace(/T.*/, 'T00:00:00Z')) ?? 0n), -1, text);
    }
  });
});
