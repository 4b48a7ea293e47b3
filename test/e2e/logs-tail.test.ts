// Live tail (GET /api/v1/logs/tail, Server-Sent Events): records that arrive
// after the tail opened and match its query come out as `log` events, oldest
// first, each once; records that do not match, and records stored before the
// tail opened, never do.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';

interface TailEvent {
  event: string;
  data: string;
}

/** An open SSE response read event by event. */
class SseReader {
  private buffered = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Events until `count` have come or `timeoutMs` passes (then what came so far). */
  async take(count: number, timeoutMs: number): Promise<TailEvent[]> {
    const events: TailEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (events.length < count && Date.now() < deadline) {
      let end: number;
      while ((end = this.buffered.indexOf('\n\n')) >= 0 && events.length < count) {
        const block = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
        const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
        events.push({ event, data });
      }
      if (events.length >= count) break;
      const chunk = await Promise.race([this.reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now())))]);
      if (chunk === null || chunk.done) break;
      this.buffered += this.decoder.decode(chunk.value, { stream: true });
    }
    return events;
  }
}

async function ingest(server: TestServer, stream: string, records: object[]): Promise<void> {
  const r = await getJson(`${server.apiUrl}/api/v1/ingest/${stream}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: records.map((x) => JSON.stringify(x)).join('\n'),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.accepted, records.length);
}

describe('live tail', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('streams new matching records oldest first, each once, and nothing else', async () => {
    await ingest(server, 'checkout', [{ message: 'stored before the tail opened: timeout' }]);
    const controller = new AbortController();
    const res = await fetch(`${server.apiUrl}/api/v1/logs/tail?query=${encodeURIComponent('{stream="checkout"} |= "timeout"')}`, { signal: controller.signal });
    try {
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const sse = new SseReader(res.body!.getReader());
      // The tail takes "now" when it opens; let a poll pass so the records below are newer.
      await new Promise((r) => setTimeout(r, 50));
      await ingest(server, 'checkout', [{ message: 'payment timeout after 3 s', attempt: 1 }, { message: 'all good' }]);
      await ingest(server, 'other', [{ message: 'timeout in another stream' }]);
      await ingest(server, 'checkout', [{ message: 'second TIMEOUT', attempt: 2 }]);

      const events = await sse.take(2, 15_000);
      assert.deepEqual(
        events.map((e) => [e.event, JSON.parse(e.data).body]),
        [
          ['log', { message: 'payment timeout after 3 s', attempt: 1 }],
          ['log', { message: 'second TIMEOUT', attempt: 2 }],
        ],
      );
      // Several polls later nothing was repeated and nothing else matched.
      assert.deepEqual(await sse.take(1, 2_500), []);
    } finally {
      controller.abort();
    }
  });

  it('answers a query it cannot parse with 400 before streaming', async () => {
    const r = await getJson(`${server.apiUrl}/api/v1/logs/tail?query=${encodeURIComponent('{stream=')}`);
    assert.equal(r.status, 400);
    assert.ok(r.body.error, JSON.stringify(r.body));
  });
});
