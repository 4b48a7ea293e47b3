// The Metrics page in real headless Chromium against a real marquetry fed by
// Prometheus remote_write: browse metrics and labels, type a PromQL query
// with completion of names, labels and values, and see the series in the
// chart and the table; state survives a reload. Screenshots in test-artifacts/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { encodeWriteRequestV1, type RemoteWriteSeries } from '../../src/receive/metrics/remote-write-encode.js';
import { snappyCompress } from '../../src/receive/metrics/snappy.js';

const STEP_MS = 15_000;

/** 30 minutes of scrapes ending now: two request counters and three room temperatures. */
function scrapes(endMs: number): RemoteWriteSeries[] {
  const series: RemoteWriteSeries[] = [];
  const times: number[] = [];
  for (let t = endMs - 30 * 60_000; t <= endMs; t += STEP_MS) times.push(t);
  for (const [instance, perScrape] of [['a:8080', 3], ['b:8080', 7]] as const) {
    series.push({ labels: [['__name__', 'demo_requests_total'], ['instance', instance], ['job', 'api']], samples: times.map((t, i) => ({ timestampMs: t, value: i * perScrape })) });
  }
  for (const [room, base] of [['attic', 14], ['cellar', 11], ['kitchen', 21]] as const) {
    series.push({ labels: [['__name__', 'demo_temperature_celsius'], ['room', room]], samples: times.map((t, i) => ({ timestampMs: t, value: base + Math.sin(i / 9) })) });
  }
  return series;
}

describe('Metrics page in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.apiUrl}/api/v1/write`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      body: snappyCompress(encodeWriteRequestV1(scrapes(Math.floor(Date.now() / STEP_MS) * STEP_MS - STEP_MS))) as Uint8Array<ArrayBuffer>,
    });
    assert.equal(res.status, 204, await res.text());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('lists metric names and, for a picked metric, its labels; picking one charts it', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/metrics?from=now-1h&to=now`);
    const names = page.getByTestId('metric-name');
    await names.first().waitFor();
    assert.deepEqual(await names.allTextContents(), ['demo_requests_total', 'demo_temperature_celsius']);
    await names.filter({ hasText: 'demo_temperature_celsius' }).click();
    await page.getByTestId('label-browser').getByText('room').waitFor();
    assert.deepEqual(await page.getByTestId('label-value').allTextContents(), ['attic', 'cellar', 'kitchen']);
    await page.getByTestId('promql-chart').locator('canvas').waitFor();
    assert.equal(await page.getByTestId('promql-input').inputValue(), 'demo_temperature_celsius');
    assert.match((await page.getByTestId('promql-summary').textContent()) ?? '', /^3 series · step 15s/);
    await page.getByTestId('label-value').filter({ hasText: 'kitchen' }).click();
    await page.waitForURL(/q=demo_temperature_celsius%7Broom%3D%22kitchen%22%7D/);
    await page.getByText('1 series').waitFor();
    await browser.screenshot('ui-metrics-00-browser');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('completes a typed query (metric, label name, label value) and shows its series in the chart and the table', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/metrics?from=now-1h&to=now`);
    const input = page.getByTestId('promql-input');
    const suggestions = page.getByTestId('promql-suggestions');
    await page.getByTestId('metric-name').first().waitFor(); // names loaded: completion has them
    await input.fill('');
    await input.pressSequentially('rate(demo_req');
    await suggestions.getByText('demo_requests_total', { exact: true }).waitFor();
    await input.press('Enter');
    await input.pressSequentially('{jo');
    await suggestions.getByText('job', { exact: true }).waitFor();
    await input.press('Enter');
    // The picked label opened its value: `job=""`, values suggested.
    await suggestions.getByText('api', { exact: true }).waitFor();
    await input.press('Enter');
    assert.equal(await input.inputValue(), 'rate(demo_requests_total{job="api"');
    await input.pressSequentially('}[5m])');
    assert.equal(await input.inputValue(), 'rate(demo_requests_total{job="api"}[5m])');
    await input.press('Escape');
    await page.getByTestId('promql-run').click();
    await page.waitForURL(/q=rate%28demo_requests_total%7Bjob%3D%22api%22%7D%5B5m%5D%29/);
    const chart = page.getByTestId('promql-chart');
    await chart.locator('canvas').waitFor();
    const legend = await chart.locator('.u-legend .u-series .u-label').allTextContents();
    assert.deepEqual(legend.filter((l) => l.startsWith('{')).sort(), ['{instance="a:8080", job="api"}', '{instance="b:8080", job="api"}']);
    await browser.screenshot('ui-metrics-01-chart');

    await page.getByTestId('mode-instant').click();
    await page.getByTestId('view-table').click();
    const table = page.getByTestId('promql-table');
    await table.waitFor();
    await page.waitForURL(/mode=instant/);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    // The same query asked of the API at the time the page asked it: the same values, rates near 3 and 7 per 15 s scrape.
    const atMs = Number(await table.locator('tbody time').first().getAttribute('data-time-ms'));
    const { body } = await getJson(`${server.apiUrl}/api/v1/query?${new URLSearchParams({ query: 'rate(demo_requests_total{job="api"}[5m])', time: String(atMs / 1000) })}`);
    const want = new Map((body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => [`{instance="${s.metric['instance']}", job="api"}`, s.value[1]]));
    assert.equal(rows.length, 2);
    for (const [series, value] of rows) {
      assert.equal(value, want.get(series!), series);
      assert.ok(Math.abs(Number(value) / ((series!.includes('a:8080') ? 3 : 7) / 15) - 1) < 0.15, `${series}: ${value} per second`);
    }
    await browser.screenshot('ui-metrics-02-table');

    // The state is in the URL: a reload shows the same query, mode and view.
    await page.reload();
    await table.waitFor();
    assert.equal(await input.inputValue(), 'rate(demo_requests_total{job="api"}[5m])');
    assert.equal(await page.getByTestId('mode-instant').getAttribute('aria-checked'), 'true');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('shows the server’s message for a bad query', async () => {
    const { page } = browser;
    const input = page.getByTestId('promql-input');
    await input.fill('sum(');
    await input.press('Escape');
    await page.getByTestId('promql-run').click();
    await page.getByText('The query failed').waitFor();
    assert.match((await page.locator('.state-error').textContent()) ?? '', /unexpected end of input|parse error/);
    await browser.screenshot('ui-metrics-03-error');
  });
});
