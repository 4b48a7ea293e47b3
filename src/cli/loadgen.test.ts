import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadgenHelp, parseLoadgenArgs } from './loadgen.js';

describe('parseLoadgenArgs', () => {
  it('uses the documented defaults', () => {
    assert.deepEqual(parseLoadgenArgs([]), {
      endpoint: 'http://127.0.0.1:4318/v1/traces',
      spansPerSecond: 0,
      durationMs: 10_000,
      maxRequests: 0,
      concurrency: 4,
      spansPerRequest: 1000,
      errorRate: 0.02,
      seed: 1,
      poolSize: 32,
      rewrite: true,
      gzip: false,
    });
  });

  it('reads every flag', () => {
    const options = parseLoadgenArgs([
      '--endpoint', 'https://otel.example.com/v1/traces', '--rate', '50000', '--duration', '2m', '--concurrency', '8',
      '--spans-per-request', '512', '--error-rate', '0.1', '--seed', '7', '--max-requests', '100', '--token', 'abc',
      '--gzip', '--pool-size', '4', '--verbatim',
    ]);
    assert.deepEqual(options, {
      endpoint: 'https://otel.example.com/v1/traces',
      spansPerSecond: 50_000,
      durationMs: 120_000,
      maxRequests: 100,
      concurrency: 8,
      spansPerRequest: 512,
      errorRate: 0.1,
      seed: 7,
      poolSize: 4,
      rewrite: false,
      gzip: true,
      bearerToken: 'abc',
    });
  });

  it('answers help for --help and explains every flag', () => {
    assert.equal(parseLoadgenArgs(['--help']), 'help');
    for (const flag of ['--endpoint', '--rate', '--duration', '--concurrency', '--spans-per-request', '--error-rate', '--seed', '--max-requests', '--token', '--gzip', '--help']) {
      assert.ok(loadgenHelp().includes(flag), flag);
    }
  });

  it('rejects bad values with a message naming the flag', () => {
    assert.throws(() => parseLoadgenArgs(['--rate', 'fast']), /--rate/);
    assert.throws(() => parseLoadgenArgs(['--concurrency', '0']), /--concurrency/);
    assert.throws(() => parseLoadgenArgs(['--error-rate', '1.5']), /--error-rate/);
    assert.throws(() => parseLoadgenArgs(['--endpoint', 'ftp://x']), /--endpoint/);
    assert.throws(() => parseLoadgenArgs(['--duration', '0']), /--max-requests/);
    assert.throws(() => parseLoadgenArgs(['--bogus']));
  });
});
