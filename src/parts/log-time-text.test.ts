import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timeText, timeTextDigits } from './log-time-text.js';
import { rfc3339Nanos } from '../receive/json-lines-decode.js';

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
});
