// The Logs page in real headless Chromium against a real marquetry: JSON
// lines and OTLP logs in, then the query box, the severity histogram, the
// records newest first, a record expanded as JSON, and the jump to its trace.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('Logs page in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    server = await startTestServer();
    const now = Date.now();
    const lines = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({ ts: new Date(now - (60 - i) * 1000).toISOString(), level: i % 10 === 0 ? 'error' : 'info', msg: i % 10 === 0 ? `checkout failed for order ${i}` : `request ${i} served`, order: { id: i } }),
    );
    const r = await getJson(`${server.apiUrl}/api/v1/ingest/web?time_field=ts`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    assert.equal(r.body.accepted, 60);
    const otlp = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] },
        scopeLogs: [{ logRecords: [{ timeUnixNano: String(BigInt(now) * 1_000_000n), severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'card declined by issuer' }, traceId: TRACE_ID, spanId: '00f067aa0ba902b7' }] }],
      }],
    };
    const res = await fetch(`${server.otlpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) });
    assert.equal(res.status, 200);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows the matching records newest first with the severity histogram, from the query box', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/logs?from=now-15m`);
    await page.getByTestId('log-list').waitFor();
    assert.equal(await page.getByTestId('log-entry').count(), 61);
    await page.getByTestId('logs-histogram').locator('canvas').waitFor();
    await page.getByTestId('logs-query').fill('failed | severity >= ERROR');
    await page.getByTestId('logs-query').press('Enter');
    await page.waitForURL(/q=failed/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="log-entry"]').length === 6);
    const first = await page.getByTestId('log-line').first().textContent();
    assert.match(first ?? '', /checkout failed for order 50/);
    await browser.screenshot('ui-logs-01-search');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('expands a record as JSON and jumps to its trace', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/logs?from=now-15m&q=${encodeURIComponent('declined')}`);
    await page.getByTestId('log-line').first().click();
    const json = JSON.parse((await page.getByTestId('log-json').textContent()) ?? '{}');
    assert.equal(json.body, 'card declined by issuer');
    assert.equal(json.traceId, TRACE_ID);
    await browser.screenshot('ui-logs-02-record');
    await page.getByTestId('log-trace-link').click();
    await page.waitForURL(new RegExp(`/trace/${TRACE_ID}`));
    assert.deepEqual(browser.pageErrors, []);
  });
});
