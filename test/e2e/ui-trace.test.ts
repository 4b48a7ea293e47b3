// The trace page in real headless Chromium: a small hand-built trace whose
// every span we know (header, span detail, collapse, search, keyboard, links,
// deep links, minimap zoom), and one 10,000-span trace that must render only a
// window of rows and still reach its last span. Screenshots land in
// test-artifacts/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { attrs, HexIds, jsonSpan, postOtlpJson, serviceRequest } from '../helpers/otlp-json.js';
import { bigTrace, type BigTrace } from '../helpers/big-trace.js';

const MS = 1_000_000n;

/** frontend GET /checkout → payment Charge (fails, queries postgres) with cart GetCart alongside, then render. */
function checkoutTrace(startNs: bigint) {
  const ids = new HexIds(41);
  const traceId = ids.traceId();
  const id = { root: ids.spanId(), cart: ids.spanId(), payClient: ids.spanId(), charge: ids.spanId(), query: ids.spanId(), render: ids.spanId() };
  const at = (ms: number): bigint => startNs + BigInt(ms) * MS;
  const frontend = [
    jsonSpan({ traceId, spanId: id.root, name: 'GET /checkout', kind: 2, startNs: at(0), durationNs: 120n * MS, attributes: attrs({ 'http.route': '/checkout' }) }),
    jsonSpan({ traceId, spanId: id.payClient, parentSpanId: id.root, name: 'POST payment', kind: 3, startNs: at(20), durationNs: 80n * MS }),
    jsonSpan({ traceId, spanId: id.render, parentSpanId: id.root, name: 'render', kind: 1, startNs: at(100), durationNs: 15n * MS }),
  ];
  const cart = [
    jsonSpan({
      traceId, spanId: id.cart, parentSpanId: id.root, name: 'GetCart', kind: 2, startNs: at(22), durationNs: 13n * MS,
      attributes: attrs({ 'app.cart.items': 3 }),
      extra: { links: [{ traceId, spanId: id.charge, attributes: attrs({ 'link.reason': 'same order' }) }] },
    }),
  ];
  const payment = [
    jsonSpan({
      traceId, spanId: id.charge, parentSpanId: id.payClient, name: 'Charge', kind: 2, startNs: at(25), durationNs: 70n * MS,
      attributes: attrs({ 'app.card_type': 'visa', 'app.user_id': 'user-99' }),
      status: { code: 2, message: 'card declined' },
      extra: { events: [{ timeUnixNano: String(at(90)), name: 'exception', attributes: attrs({ 'exception.type': 'CardDeclined' }) }] },
    }),
    jsonSpan({ traceId, spanId: id.query, parentSpanId: id.charge, name: 'SELECT payments', kind: 3, startNs: at(30), durationNs: 10n * MS, attributes: attrs({ 'db.system': 'postgresql' }) }),
  ];
  return {
    traceId,
    id,
    requests: [serviceRequest('frontend', frontend), serviceRequest('cart', cart), serviceRequest('payment', payment, attrs({ 'host.name': 'payment-7f9c' }))],
  };
}

/** OTLP/JSON log records of the checkout trace: one from Charge, one from GetCart, one of the trace with no span. */
function checkoutLogs(trace: ReturnType<typeof checkoutTrace>, startNs: bigint): Record<string, unknown> {
  const at = (ms: number): string => String(startNs + BigInt(ms) * MS);
  const record = (ms: number, severityNumber: number, severityText: string, body: string, spanId: string) => ({
    timeUnixNano: at(ms),
    observedTimeUnixNano: at(ms),
    severityNumber,
    severityText,
    body: { stringValue: body },
    attributes: [],
    traceId: trace.traceId,
    ...(spanId ? { spanId } : {}),
  });
  const resource = (service: string, logRecords: Record<string, unknown>[]) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeLogs: [{ scope: { name: 'e2e-logs' }, logRecords }],
  });
  return {
    resourceLogs: [
      resource('payment', [record(60, 17, 'ERROR', 'card declined by issuer', trace.id.charge)]),
      resource('cart', [record(25, 9, 'INFO', 'cart loaded with 3 items', trace.id.cart)]),
      resource('frontend', [record(118, 13, 'WARN', 'checkout finished with a payment error', '')]),
    ],
  };
}

async function ingest(server: TestServer, traceId: string, spans: number, requests: Record<string, unknown>[]): Promise<void> {
  for (const body of requests) assert.equal((await postOtlpJson(server.otlpUrl, body)).status, 200);
  await eventually(async () => {
    const { status, body } = await getJson(`${server.apiUrl}/api/traces/${traceId}`);
    if (status !== 200) return undefined;
    let n = 0;
    for (const rs of body.batches) for (const ss of rs.scopeSpans) n += ss.spans.length;
    return n === spans ? true : undefined;
  }, 30_000, `trace ${traceId} with ${spans} spans`);
}

describe('trace page in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let small: ReturnType<typeof checkoutTrace>;
  let big: BigTrace;

  before(async () => {
    server = await startTestServer();
    const now = BigInt(Date.now()) * MS;
    small = checkoutTrace(now - 120_000n * MS);
    await ingest(server, small.traceId, 6, small.requests);
    const logs = await fetch(`${server.otlpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(checkoutLogs(small, now - 120_000n * MS)) });
    assert.equal(logs.status, 200);
    await eventually(async () => ((await getJson(`${server.apiUrl}/api/v1/logs?trace_id=${small.traceId}`)).body.records?.length === 3 ? true : undefined), 30_000, 'the trace\'s logs');
    big = bigTrace(10_000, now - 60_000n * MS, 3);
    await ingest(server, big.traceId, big.spans, big.requests);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  const row = (spanId: string) => browser.page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);
  const rowNames = async (): Promise<string[]> => browser.page.locator('[data-testid="span-row"] .wf-op').allTextContents();

  it('shows the root operation, duration, span count, services and errors', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/trace/${small.traceId}`);
    await page.getByTestId('waterfall').waitFor();
    assert.equal(await page.getByTestId('trace-root-name').textContent(), 'GET /checkout');
    assert.equal(await page.getByTestId('trace-root-service').textContent(), 'frontend');
    assert.equal(await page.getByTestId('trace-span-count').textContent(), '6');
    assert.equal(await page.getByTestId('trace-error-count').textContent(), '1');
    assert.equal(await page.getByTestId('trace-duration').textContent(), '120ms');
    assert.equal(await page.getByTestId('trace-id').textContent(), small.traceId);
    // depth-first, children by start time
    assert.deepEqual(await rowNames(), ['GET /checkout', 'POST payment', 'Charge', 'SELECT payments', 'GetCart', 'render']);
    assert.equal(await row(small.id.charge).locator('.wf-error-mark').count(), 1);
    // the critical path runs through the payment call, not through GetCart running beside it
    assert.ok(await row(small.id.cart).evaluate((el) => el.classList.contains('off-path')));
    assert.ok(!(await row(small.id.charge).evaluate((el) => el.classList.contains('off-path'))));
    await browser.screenshot('ui-trace-01-waterfall');
    // the error count finds the failing spans
    await page.getByTestId('trace-error-count').getByRole('button').click();
    assert.equal(await page.getByTestId('trace-search').inputValue(), 'status=error');
    await page.getByTestId('trace-search-count').filter({ hasText: '1 of 1' }).waitFor();
    assert.ok(await row(small.id.charge).evaluate((el) => el.classList.contains('match')));
    await page.getByTestId('trace-search').fill('');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('opens a span\'s detail with attributes, events and resource, and keeps the span in the URL', async () => {
    const { page } = browser;
    await row(small.id.charge).click();
    const detail = page.getByTestId('span-detail');
    await detail.waitFor();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'Charge');
    const attributes = await page.getByTestId('span-attributes').locator('tr').allTextContents();
    assert.deepEqual(attributes, ['app.card_typevisa', 'app.user_iduser-99']);
    assert.match((await page.getByTestId('detail-events').textContent()) ?? '', /\+65ms\s*exception.*CardDeclined/);
    assert.match((await detail.textContent()) ?? '', /error: card declined/);
    await page.getByTestId('detail-resource').locator('summary').click();
    assert.match((await page.getByTestId('detail-resource').textContent()) ?? '', /host\.namepayment-7f9c/);
    assert.equal(new URL(page.url()).searchParams.get('span'), small.id.charge);
    await browser.screenshot('ui-trace-02-span-detail');

    // a reload (or a shared link) opens the same span
    await page.reload();
    await page.getByTestId('span-detail').waitFor();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'Charge');
    // the parent and a link jump to their spans
    await page.getByTestId('detail-parent').click();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'POST payment');
    await row(small.id.cart).click();
    await page.getByTestId('detail-links').getByRole('button').click();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'Charge');
  });

  it('collapses and expands a subtree by its toggle and by the keyboard', async () => {
    const { page } = browser;
    await row(small.id.payClient).getByTestId('span-toggle').click();
    assert.deepEqual(await rowNames(), ['GET /checkout', 'POST payment', 'GetCart', 'render']);
    assert.equal(await row(small.id.payClient).locator('.wf-hidden-count').textContent(), '+2');
    await browser.screenshot('ui-trace-03-collapsed');
    await row(small.id.payClient).getByTestId('span-toggle').click();
    assert.equal((await rowNames()).length, 6);

    // keyboard: focus the tree, go down to POST payment, collapse with ←, expand with →, open with Enter
    await page.getByTestId('waterfall').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await rowNames(), ['GET /checkout', 'POST payment', 'GetCart', 'render']);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight'); // → on an expanded span goes to its first child
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('detail-name').textContent(), 'Charge');
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('span-detail').count(), 0);
  });

  it('finds spans within the trace, highlights them and steps between them', async () => {
    const { page } = browser;
    // collapse the payment subtree: a match inside it must be revealed
    await row(small.id.payClient).getByTestId('span-toggle').click();
    await page.locator('body').press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'trace-search');
    await page.keyboard.type('db.system=postgres');
    await page.getByTestId('trace-search-count').filter({ hasText: '1 of 1' }).waitFor();
    assert.equal(await row(small.id.query).count(), 1, 'the match was revealed');
    assert.ok(await row(small.id.query).evaluate((el) => el.classList.contains('match') && el.classList.contains('focused')));

    await page.getByTestId('trace-search').fill('frontend');
    await page.getByTestId('trace-search-count').filter({ hasText: '1 of 3' }).waitFor();
    await page.getByTestId('trace-search').press('Enter');
    await page.getByTestId('trace-search-count').filter({ hasText: '2 of 3' }).waitFor();
    await page.getByTestId('trace-search').press('Shift+Enter');
    await page.getByTestId('trace-search').press('Shift+Enter');
    await page.getByTestId('trace-search-count').filter({ hasText: '3 of 3' }).waitFor();
    assert.equal(await page.locator('[data-testid="span-row"].match').count(), 3);
    assert.equal(new URL(page.url()).searchParams.get('find'), 'frontend');
    await browser.screenshot('ui-trace-04-search');
    await page.getByTestId('trace-search').fill('no such thing');
    await page.getByTestId('trace-search-count').filter({ hasText: 'no match' }).waitFor();
  });

  it('opens the trace\'s logs in time order, marks them on their spans, and selects a record\'s span', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/trace/${small.traceId}`);
    await page.getByTestId('open-logs').click();
    await page.getByTestId('logs-table').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('logs'), '1');
    const logRows = page.getByTestId('log-row');
    assert.deepEqual(await logRows.locator('.log-body').allTextContents(), ['cart loaded with 3 items', 'card declined by issuer', 'checkout finished with a payment error']);
    assert.deepEqual(await logRows.locator('.log-offset').allTextContents(), ['+25ms', '+60ms', '+118ms']);
    assert.deepEqual(await logRows.locator('.log-service').allTextContents(), ['cart', 'payment', 'frontend']);
    assert.equal(await row(small.id.charge).locator('.wf-log').count(), 1);
    assert.equal(await row(small.id.root).locator('.wf-log').count(), 0);
    await logRows.nth(1).getByRole('button', { name: 'Charge' }).click();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'Charge');
    await page.getByTestId('logs-only-selected').check();
    assert.deepEqual(await logRows.locator('.log-body').allTextContents(), ['card declined by issuer']);
    await browser.screenshot('ui-trace-05-logs');
    // the open panel is part of the link
    await page.reload();
    await page.getByTestId('logs-table').waitFor();
    assert.equal(await page.getByTestId('log-row').count(), 3);
    // the Logs page takes over with the trace as its query
    await page.getByTestId('logs-page-link').click();
    await page.waitForURL(/\/logs\?/);
    await page.getByTestId('log-entry').first().waitFor();
    assert.equal(await page.getByTestId('log-entry').count(), 3);
    await page.goBack();
    await page.getByTestId('logs-table').waitFor();
    await page.getByTestId('open-logs').click();
    assert.equal(await page.getByTestId('related-logs').count(), 0);
  });

  it('zooms the waterfall to a range brushed on the minimap, and back', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/trace/${small.traceId}`);
    const minimap = page.getByTestId('minimap');
    const box = (await minimap.boundingBox())!;
    // 25%..50% of 120 ms: 30–60 ms
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.getByTestId('minimap-window').waitFor();
    const ticks = await page.getByTestId('time-axis').locator('.wf-tick').allTextContents();
    assert.ok(ticks.length >= 3, ticks.join(' '));
    for (const t of ticks) {
      const ms = Number(t.replace('ms', ''));
      assert.ok(t.endsWith('ms') && ms >= 29 && ms <= 61, `tick ${t} inside the brushed 30–60 ms`);
    }
    await browser.screenshot('ui-trace-06-zoomed');

    // the name column's divider drags wider
    const nameBefore = (await page.locator('.wf-axis-name').boundingBox())!;
    const splitter = (await page.getByRole('separator', { name: 'Resize the name column' }).boundingBox())!;
    await page.mouse.move(splitter.x + splitter.width / 2, splitter.y + splitter.height / 2);
    await page.mouse.down();
    await page.mouse.move(splitter.x + 100, splitter.y + splitter.height / 2, { steps: 5 });
    await page.mouse.up();
    const nameAfter = (await page.locator('.wf-axis-name').boundingBox())!;
    assert.ok(Math.abs(nameAfter.width - nameBefore.width - 100) <= 6, `name column ${nameBefore.width} → ${nameAfter.width}`);
    const rowName = (await row(small.id.root).locator('.wf-name').boundingBox())!;
    assert.ok(Math.abs(rowName.width - nameAfter.width) <= 1, 'rows follow the header');
    await page.getByTestId('zoom-reset').click();
    assert.equal(await page.getByTestId('minimap-window').count(), 0);
    assert.ok(await page.getByTestId('zoom-reset').isDisabled());
  });

  it('renders a 10,000-span trace with a bounded number of rows and reaches its last span', async () => {
    const { page } = browser;
    const startedMs = Date.now();
    await page.goto(`${server.apiUrl}/trace/${big.traceId}`);
    await page.getByTestId('span-row').first().waitFor({ timeout: 60_000 });
    const loadMs = Date.now() - startedMs;
    assert.equal(await page.getByTestId('trace-span-count').textContent(), String(big.spans));
    assert.equal(await page.getByTestId('trace-root-name').textContent(), big.rootName);
    const rowsShown = await page.getByTestId('span-row').count();
    assert.ok(rowsShown > 10 && rowsShown < 100, `${rowsShown} row elements for ${big.spans} spans`);
    const spacerHeight = await page.locator('.wf-spacer').evaluate((el) => el.getBoundingClientRect().height);
    assert.equal(spacerHeight, big.spans * 26, 'the scroll height stands for every row');

    // End on the tree goes to the last row in tree order
    await page.getByTestId('waterfall').focus();
    await page.keyboard.press('End');
    const lastId = await page.evaluate(() => document.querySelector('[data-testid="span-row"].focused')?.getAttribute('data-span-id'));
    const { body } = await getJson(`${server.apiUrl}/api/traces/${big.traceId}`);
    assert.equal(lastId, lastInTreeOrder(body.batches));
    const focusedBox = await page.locator('[data-testid="span-row"].focused').boundingBox();
    const scrollBox = await page.getByTestId('waterfall').boundingBox();
    assert.ok(focusedBox && scrollBox && focusedBox.y + focusedBox.height <= scrollBox.y + scrollBox.height + 1, 'the last row is in view');
    assert.ok((await page.getByTestId('span-row').count()) < 100);
    // the minimap marks where those rows are: at the bottom of the trace
    const band = (await page.getByTestId('minimap-rows').boundingBox())!;
    const minimap = (await page.getByTestId('minimap').boundingBox())!;
    assert.ok(band.y + band.height >= minimap.y + minimap.height - 2 && band.y > minimap.y + minimap.height / 2, 'rows band at the bottom');

    // scrolling renders a window per frame: time 40 scroll steps of ~15 rows
    const scroll = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="waterfall"]') as HTMLElement;
      el.scrollTop = 0;
      const steps: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        el.scrollTop += 400;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        steps.push(performance.now() - t0);
      }
      steps.sort((a, b) => a - b);
      return { medianTwoFramesMs: steps[20]!, maxTwoFramesMs: steps[39]! };
    });
    const measures = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('measure').map((m) => [m.name, Math.round(m.duration)])));
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    // figures for the report, not assertions (timings are never asserted)
    console.log(JSON.stringify({ key: 'ui-trace-10k', spans: big.spans, rowsShown, domNodes, loadMs, ...measures, ...scroll }));
    await browser.screenshot('ui-trace-07-10k-spans');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('says what to do when a trace is not there', async () => {
    const { page } = browser;
    await page.goto(`${server.apiUrl}/trace/0123456789abcdef0123456789abcdef`);
    await page.getByText('was not found').waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Search/);
  });
});

/** Span id of the last row in depth-first order (children by start), computed from the API's answer. */
function lastInTreeOrder(batches: { scopeSpans: { spans: { spanId: string; parentSpanId: string; startTimeUnixNano: string }[] }[] }[]): string {
  const children = new Map<string, { spanId: string; start: bigint }[]>();
  for (const rs of batches) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const list = children.get(s.parentSpanId) ?? [];
        list.push({ spanId: s.spanId, start: BigInt(s.startTimeUnixNano) });
        children.set(s.parentSpanId, list);
      }
    }
  }
  // the last row is the last child of the last child … of the (single) root
  let at = children.get('')![0]!.spanId;
  for (;;) {
    const kids = children.get(at);
    if (!kids || kids.length === 0) return at;
    kids.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    at = kids[kids.length - 1]!.spanId;
  }
}
