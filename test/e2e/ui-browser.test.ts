// The web UI in real headless Chromium against a real marquetry fed by the
// project's loadgen: Services → a service → an operation → Search → a trace,
// plus themes, deep links and SQL. Screenshots land in test-artifacts/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { sendLoad } from '../../src/loadgen/sender.js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';

/** Waits until the input's value is `want` (Preact re-renders after the event that changed it). */
async function valueBecomes(page: Page, testId: string, want: string): Promise<void> {
  await page.waitForFunction(([id, v]) => (document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | null)?.value === v, [testId, want] as const, {
    timeout: 10_000,
  });
}

describe('web UI in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let services: { name: string; requests: number }[] = [];

  before(async () => {
    server = await startTestServer();
    const { summary } = await sendLoad({
      endpoint: `${server.otlpUrl}/v1/traces`,
      encode: encodeExportTraceServiceRequest,
      spansPerSecond: 0,
      durationMs: 0,
      maxRequests: 12,
      concurrency: 2,
      spansPerRequest: 1000,
      errorRate: 0.05,
      seed: 7,
    });
    assert.equal(summary.failed, 0);
    // The health answer is the truth the Services page must show.
    services = await eventually(async () => {
      const { body } = await getJson(`${server.apiUrl}/api/v1/health`);
      const groups = (body.groups ?? []) as { labels: { service: string }; totals: { requests: number } }[];
      const total = groups.reduce((n, g) => n + g.totals.requests, 0);
      return total >= summary.spans ? groups.map((g) => ({ name: g.labels.service, requests: g.totals.requests })) : undefined;
    }, 30_000, 'all spans in the health overview');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('opens on Services: every service with rate, error %, p50/p99, sparklines and three charts', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/`);
    await page.waitForURL(/\/services$/);
    const table = page.getByTestId('services-table');
    await table.waitFor();
    const names = await table.getByTestId('service-link').allTextContents();
    assert.deepEqual([...names].sort(), services.map((s) => s.name).sort());
    const header = await table.locator('thead th').allTextContents();
    for (const h of ['Service', 'Rate', 'Error %', 'p50', 'p99']) assert.ok(header.some((t) => t.startsWith(h)), `column ${h} in ${header.join('|')}`);
    assert.equal(await table.locator('tbody svg.sparkline').count(), services.length * 3);
    for (const chart of ['chart-rate', 'chart-errors', 'chart-latency']) assert.equal(await page.getByTestId(chart).locator('canvas').count(), 1, chart);
    // Busiest first by default.
    const busiest = [...services].sort((a, b) => b.requests - a.requests)[0]!;
    assert.equal(names[0], busiest.name);
    // Where to look first: the API's slowest and most failing operations.
    const { body: top } = await getJson(`${server.apiUrl}/api/v1/health?top=5`);
    const topPanel = page.getByTestId('top-operations');
    const slowest = top.topOperations.byLatency[0] as { service: string; name: string };
    assert.match((await topPanel.locator('li').first().textContent()) ?? '', new RegExp(`^${slowest.service} ${slowest.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await topPanel.locator('li').count(), top.topOperations.byLatency.length + top.topOperations.byErrors.length);
    await browser.screenshot('ui-01-services');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('drills from a service into its operations, then to Search filtered on one operation, then to a trace', async () => {
    const { page } = browser;
    const service = [...services].sort((a, b) => b.requests - a.requests)[0]!.name;
    await page.getByTestId('service-link').filter({ hasText: service }).first().click();
    await page.waitForURL(/\/services\/[^/?]+/);
    assert.equal(await page.getByTestId('service-title').textContent(), service);
    const ops = page.getByTestId('operations-table');
    await ops.waitFor();
    const { body } = await getJson(`${server.apiUrl}/api/v1/health?service=${encodeURIComponent(service)}`);
    const opNames = (body.groups as { labels: { name: string } }[]).map((g) => g.labels.name);
    const shown = await ops.getByTestId('operation-link').allTextContents();
    assert.deepEqual([...shown].sort(), [...opNames].sort());
    await page.getByTestId('chart-latency').locator('canvas').waitFor();
    await browser.screenshot('ui-02-service');

    const operation = shown[0]!;
    await ops.getByTestId('operation-link').first().click();
    await page.waitForURL(/\/search\?/);
    const expected = `{ resource.service.name = "${service}" && name = "${operation}" }`;
    assert.equal(await page.getByTestId('traceql-input').inputValue(), expected);
    const results = page.getByTestId('search-results');
    await results.waitFor();
    const links = results.getByTestId('trace-link');
    assert.ok((await links.count()) > 0, 'some traces found');
    // Span counts are whole traces' (Tempo's serviceStats), as the API says.
    const api = await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q: expected, limit: '50', start: String(Math.floor(Date.now() / 1000) - 3600) })}`);
    const spansOf = new Map<string, number>(
      (api.body.traces as { traceID: string; serviceStats: Record<string, { spanCount: number }> }[]).map((t) => [
        t.traceID,
        Object.values(t.serviceStats).reduce((n, s) => n + s.spanCount, 0),
      ]),
    );
    const firstId = (await links.first().getAttribute('href'))!.slice('/trace/'.length);
    assert.equal(Number(await results.getByTestId('span-count').first().textContent()), spansOf.get(firstId));
    await page.getByTestId('duration-histogram').waitFor();
    await browser.screenshot('ui-03-search');

    const href = await links.first().getAttribute('href');
    assert.match(href ?? '', /^\/trace\/[0-9a-f]{32}$/);
    await links.first().click();
    await page.waitForURL(/\/trace\/[0-9a-f]{32}$/);
    assert.equal(await page.getByTestId('trace-id').textContent(), href!.slice('/trace/'.length));

    // the trace page agrees with the API: span count, root, a span's attributes; collapse and search work
    const trace = await getJson(`${server.apiUrl}/api/traces/${href!.slice('/trace/'.length)}`);
    type ApiSpan = { spanId: string; parentSpanId: string; name: string; attributes: { key: string }[] };
    const spans = (trace.body.batches as { scopeSpans: { spans: ApiSpan[] }[] }[]).flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    const root = spans.find((s) => s.parentSpanId === '')!;
    const child = spans.find((s) => s.parentSpanId === root.spanId && s.attributes.length > 0);
    assert.ok(child, 'the root has a child with attributes');
    assert.equal(await page.getByTestId('trace-span-count').textContent(), String(spans.length));
    assert.equal(await page.getByTestId('trace-root-name').textContent(), root.name);
    const spanRow = (id: string) => page.locator(`[data-testid="span-row"][data-span-id="${id}"]`);
    await spanRow(child.spanId).click();
    assert.equal(await page.getByTestId('detail-name').textContent(), child.name);
    assert.deepEqual(await page.getByTestId('span-attributes').locator('th').allTextContents(), child.attributes.map((a) => a.key));
    await browser.screenshot('ui-03b-trace');
    await spanRow(root.spanId).getByTestId('span-toggle').click();
    assert.equal(await page.getByTestId('span-row').count(), 1);
    await page.getByTestId('trace-search').fill(child.spanId);
    await page.getByTestId('trace-search-count').filter({ hasText: '1 of 1' }).waitFor();
    assert.equal(await spanRow(child.spanId).count(), 1, 'the match is revealed under the collapsed root');

    // from the span to the comparison explaining it: its operation's spans at least this slow vs the rest
    await spanRow(child.spanId).click();
    await page.getByTestId('detail-compare-slow').click();
    await page.waitForURL(/\/compare\?/);
    const cmp = new URL(page.url());
    assert.equal(cmp.searchParams.get('target'), 'slow');
    assert.match(cmp.searchParams.get('q') ?? '', new RegExp(`name = "${child.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
    // the span itself is in the target, so the comparison has one
    const summary = page.getByTestId('compare-summary');
    await summary.waitFor({ timeout: 60_000 });
    assert.match((await summary.textContent()) ?? '', /spans lasting .* or more/);
    await browser.screenshot('ui-03c-compare-from-span');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('explains an operation\'s errors on Compare as target vs baseline bars, and a value leads to Search', async () => {
    const { page } = browser;
    // The busiest operation with errors, from the API.
    const { body } = await getJson(`${server.apiUrl}/api/v1/health`);
    const withErrors = (body.groups as { labels: { service: string }; totals: { errors: number; requests: number } }[])
      .filter((g) => g.totals.errors > 0)
      .sort((a, b) => b.totals.errors - a.totals.errors)[0]!;
    const service = withErrors.labels.service;
    await page.goto(`${server.apiUrl}/services/${encodeURIComponent(service)}`);
    const ops = page.getByTestId('operations-table');
    await ops.waitFor();
    const why = ops.getByRole('link', { name: 'Why errors?' }).first();
    await why.click();
    await page.waitForURL(/\/compare\?/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('target'), 'errors');
    assert.match(url.searchParams.get('q') ?? '', new RegExp(`resource.service.name = "${service}"`));
    const summary = page.getByTestId('compare-summary');
    await summary.waitFor({ timeout: 60_000 });
    assert.match((await summary.textContent()) ?? '', /spans with status error/);
    const rows = page.getByTestId('compare-row');
    assert.ok((await rows.count()) > 0, 'ranked values shown');
    assert.equal(await rows.first().locator('.bar-target').count(), 1);
    assert.equal(await rows.first().locator('.bar-baseline').count(), 1);
    await browser.screenshot('ui-06-compare');

    const value = rows.locator('[data-testid="compare-value"]').first();
    const valueText = (await value.locator('.dim-value').textContent()) ?? '';
    await value.click();
    await page.waitForURL(/\/search\?/);
    const q = await page.getByTestId('traceql-input').inputValue();
    assert.match(q, /status = error/);
    assert.ok(q.includes(valueText.replace(/"/g, '\\"')), `${q} narrows to ${valueText}`);
    await page.getByTestId('search-results').waitFor();
    assert.ok((await page.getByTestId('trace-link').count()) > 0, 'the value\'s error traces are found');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('brushes the slow end of the duration histogram to narrow the search, then compares that selection', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/search?q=${encodeURIComponent('{}')}`);
    const plot = page.getByTestId('duration-histogram');
    await plot.waitFor();
    const box = (await plot.boundingBox())!;
    // Drag over the right third: the slowest spans, open-ended at the top.
    await page.mouse.move(box.x + box.width * 0.67, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.85, box.y + 40, { steps: 5 });
    await page.mouse.move(box.x + box.width - 2, box.y + 40, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL((url) => url.searchParams.has('minMs'));
    const url = new URL(page.url());
    const minMs = Number(url.searchParams.get('minMs'));
    assert.ok(minMs > 0);
    assert.equal(url.searchParams.get('maxMs'), null, 'the last bar leaves the top open');
    await page.getByTestId('duration-selection').waitFor();
    const results = page.getByTestId('search-results');
    await results.waitFor();
    // Wait for the answer to the narrowed query (the previous rows stay, dimmed, until it comes).
    await page.locator('[data-fresh="true"] [data-testid="search-results"] caption', { hasText: 'duration >=' }).waitFor();
    // The traces shown are the API's answer to the narrowed query.
    const narrowed = `{ duration >= ${url.searchParams.get('minMs')}ms }`;
    const api = await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q: narrowed, limit: '5000', start: String(Math.floor(Date.now() / 1000) - 3600) })}`);
    const matching = new Set((api.body.traces as { traceID: string }[]).map((t) => t.traceID));
    const shown = await results.getByTestId('trace-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.slice('/trace/'.length)));
    // The newest 50 of them (ties in start time may pick different ones among equals).
    assert.equal(shown.length, Math.min(50, matching.size));
    for (const id of shown) assert.ok(matching.has(id), `${id} matches ${narrowed}`);
    await browser.screenshot('ui-07-search-brushed');

    await page.getByTestId('compare-selection').click();
    await page.waitForURL(/\/compare\?/);
    const cmp = new URL(page.url());
    assert.equal(cmp.searchParams.get('target'), 'slow');
    assert.equal(Number(cmp.searchParams.get('minMs')), minMs);
    const summary = page.getByTestId('compare-summary');
    await summary.waitFor({ timeout: 60_000 });
    assert.match((await summary.textContent()) ?? '', /spans lasting .* or more/);
    assert.ok((await page.getByTestId('compare-row').count()) > 0);
    await browser.screenshot('ui-08-compare-slow');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('completes attribute keys and values in the TraceQL box', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/search`);
    const input = page.getByTestId('traceql-input');
    await input.fill('');
    await input.pressSequentially('{ resource.service.na');
    const list = page.getByTestId('traceql-input-suggestions');
    await list.waitFor();
    assert.equal(await list.locator('[role="option"]').first().textContent(), 'resource.service.nameresource');
    await input.press('Enter');
    await valueBecomes(page, 'traceql-input', '{ resource.service.name = ');
    // The key list gives way to the service names once they arrive.
    await page.waitForFunction(
      (name) => [...document.querySelectorAll('[data-testid="traceql-input-suggestions"] [role="option"] .mono')].some((o) => o.textContent === name),
      services[0]!.name,
    );
    const offered = await list.locator('[role="option"] .mono').allTextContents();
    assert.deepEqual([...offered].sort(), services.map((s) => s.name).sort().slice(0, 12));
    await input.press('ArrowDown');
    await input.press('Tab');
    await valueBecomes(page, 'traceql-input', `{ resource.service.name = "${offered[1]}"`);
    await input.pressSequentially(' }');
    await input.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === `{ resource.service.name = "${offered[1]}" }`);
    await page.getByTestId('search-results').waitFor();
  });

  it('keeps page state in the URL: a deep link to Search shows its query, and back returns', async () => {
    const { page } = browser;
    const q = '{ status = error }';
    await page.goto(`${server.apiUrl}/search?q=${encodeURIComponent(q)}&from=now-6h&to=now`);
    assert.equal(await page.getByTestId('traceql-input').inputValue(), q);
    await page.getByTestId('search-results').waitFor();
    // Every trace found has an error, and each row says so.
    const found = await page.getByTestId('trace-link').count();
    assert.ok(found > 0);
    assert.equal(await page.getByTestId('error-mark').count(), found);
    assert.match(await page.getByTestId('time-range').textContent() ?? '', /Last 6 hours/);
    await page.getByTestId('traceql-input').fill('{ kind = server }');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === '{ kind = server }');
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('q') === q);
    await valueBecomes(page, 'traceql-input', q);
  });

  it('shows a TraceQL error as the parser says it, with what to do', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/search?q=${encodeURIComponent('{ .a = }')}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /traceql:/);
    assert.match((await alert.textContent()) ?? '', /Fix the input/);
  });

  it('switches to the dark theme and keeps it across a reload', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/services`);
    await page.getByTestId('services-table').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset['theme']), 'light');
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset['theme']), 'dark');
    await page.reload();
    await page.getByTestId('services-table').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset['theme']), 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(21, 23, 26)');
    await browser.screenshot('ui-04-services-dark');
    await page.getByTestId('theme-toggle').click();
  });

  it('focuses the search box with / and goes to pages with g-shortcuts', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/search`);
    await page.getByTestId('traceql-input').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'traceql-input');
    await page.keyboard.press('Escape');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await help.waitFor();
    assert.match((await help.textContent()) ?? '', /go to SQL/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await page.keyboard.press('g');
    await page.keyboard.press('q');
    await page.waitForURL(/\/sql$/);
  });

  it('runs SQL, shows the rows, and shows a refused statement as an error', async () => {
    const { page } = browser;
    const sql = 'SELECT service_name, count(*) AS spans FROM spans GROUP BY 1 ORDER BY 2 DESC';
    await page.goto(`${server.apiUrl}/sql`);
    await page.getByTestId('sql-input').fill(sql);
    await page.getByTestId('sql-input').press('Control+Enter');
    const result = page.getByTestId('sql-result');
    await result.waitFor();
    const first = await result.locator('tbody tr').first().locator('td').allTextContents();
    const busiest = [...services].sort((a, b) => b.requests - a.requests)[0]!;
    assert.equal(first[0], busiest.name);
    assert.equal(await result.locator('tbody tr').count(), services.length);
    assert.equal(new URL(page.url()).searchParams.get('q'), sql);
    await browser.screenshot('ui-05-sql');

    const download = page.waitForEvent('download');
    await page.getByTestId('sql-csv').click();
    const file = await download;
    const csv = await (await file.createReadStream()).toArray();
    const lines = Buffer.concat(csv as Buffer[]).toString('utf8').trim().split(/\r?\n/);
    assert.equal(lines[0], 'service_name,spans');
    assert.equal(lines.length, services.length + 1);

    // The column list puts a column's (quoted) name into the editor.
    await page.getByTestId('sql-input').fill('SELECT  FROM spans LIMIT 3');
    await page.getByTestId('sql-input').evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(7, 7));
    await page.locator('.column-list summary').click();
    const cols = page.getByTestId('sql-columns');
    await cols.getByRole('button', { name: 'duration_nano', exact: true }).click();
    await valueBecomes(page, 'sql-input', 'SELECT duration_nano FROM spans LIMIT 3');
    assert.ok((await cols.getByRole('button', { name: 'resource.service.version', exact: true }).count()) === 1, 'attribute columns listed');

    await page.getByTestId('sql-input').fill('DROP TABLE spans');
    await page.getByTestId('sql-run').click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /sql:/);
  });

  it('fits every page in 1280×800 without sideways scrolling, and uses a wide screen', async () => {
    const { page } = browser;
    const busiest = [...services].sort((a, b) => b.requests - a.requests)[0]!.name;
    const pages: [string, string][] = [
      ['/services', 'services-table'],
      [`/services/${encodeURIComponent(busiest)}`, 'operations-table'],
      ['/search', 'search-results'],
      ['/compare?target=errors', 'compare-summary'],
      [`/sql?q=${encodeURIComponent('SELECT service_name, name, count(*) FROM spans GROUP BY ALL')}`, 'sql-result'],
    ];
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const [path, testId] of pages) {
        await page.goto(`${server.apiUrl}${path}`);
        await page.getByTestId(testId).waitFor({ timeout: 60_000 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${path} at ${width}×${height} scrolls sideways by ${overflow}px`);
      }
      await page.goto(`${server.apiUrl}/services`);
      await page.getByTestId('services-table').waitFor();
      await browser.screenshot(`ui-09-services-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('serves assets with long cache headers and index.html for client routes only', async () => {
    const index = await fetch(`${server.apiUrl}/trace/abc`, { headers: { accept: 'text/html' } });
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'index.html names its script');
    const js = await fetch(`${server.apiUrl}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const api = await fetch(`${server.apiUrl}/api/v1/nope`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.match(await api.text(), /no route/);
  });
});
