import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpClient, redactUrl } from '../../tasks/common/http';

type Step = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real server that answers each request with the next scripted step: the network, not a mock. */
async function scriptedServer(steps: Step[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    const step = steps[Math.min(hits, steps.length - 1)];
    hits++;
    req.resume();
    req.on('end', () => step(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/thing?sig=secret-token`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const status =
  (code: number, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(code, headers);
    res.end(`status ${code}`);
  };
const reset: Step = (req) => req.socket.destroy();

function client(opts: { deadlineMs?: number; log?: string[] } = {}): HttpClient {
  return new HttpClient({
    signal: new AbortController().signal,
    deadline: Date.now() + (opts.deadlineMs ?? 30_000),
    policy: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
    log: (m) => opts.log?.push(m),
  });
}

describe('HttpClient against a scripted server', () => {
  it('retries 429 honouring Retry-After, then returns the success', async () => {
    const s = await scriptedServer([status(429, { 'retry-after': '0' }), status(503), status(200)]);
    const log: string[] = [];
    try {
      const res = await client({ log }).fetch(s.url);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'status 200');
      assert.equal(s.hits(), 3);
      assert.match(log[0], /HTTP 429; retry 1/);
      assert.ok(!log.join('\n').includes('secret-token'), 'query strings (tokens) stay out of logs');
    } finally {
      await s.close();
    }
  });

  it('retries a GET after a connection reset', async () => {
    const s = await scriptedServer([reset, status(200)]);
    try {
      assert.equal((await client().fetch(s.url)).status, 200);
      assert.equal(s.hits(), 2);
    } finally {
      await s.close();
    }
  });

  it('does not repeat a POST after a reset: it may have been processed', async () => {
    const s = await scriptedServer([reset, status(201)]);
    try {
      await assert.rejects(
        client().fetch(s.url, { method: 'POST', body: '{}' }),
        /ECONNRESET|UND_ERR_SOCKET|fetch failed|other side closed/,
      );
      assert.equal(s.hits(), 1);
    } finally {
      await s.close();
    }
  });

  it('returns the last response when attempts run out', async () => {
    const s = await scriptedServer([status(503)]);
    try {
      assert.equal((await client().fetch(s.url)).status, 503);
      assert.equal(s.hits(), 4);
    } finally {
      await s.close();
    }
  });

  it('stops retrying when the next attempt would pass the deadline', async () => {
    const s = await scriptedServer([status(429, { 'retry-after': '5' }), status(200)]);
    try {
      const started = Date.now();
      assert.equal((await client({ deadlineMs: 1000 }).fetch(s.url)).status, 429);
      assert.equal(s.hits(), 1);
      assert.ok(Date.now() - started < 1000, 'it must not sleep into the deadline');
    } finally {
      await s.close();
    }
  });

  it('passes non-retryable statuses straight through', async () => {
    const s = await scriptedServer([status(404)]);
    try {
      assert.equal((await client().fetch(s.url)).status, 404);
      assert.equal(s.hits(), 1);
    } finally {
      await s.close();
    }
  });

  it('aborts a pending backoff as soon as the task is cancelled', async () => {
    const s = await scriptedServer([status(429, { 'retry-after': '20' }), status(200)]);
    const controller = new AbortController();
    const c = new HttpClient({ signal: controller.signal, deadline: Date.now() + 60_000 });
    try {
      setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
      await assert.rejects(c.fetch(s.url), /cancelled by test/);
    } finally {
      await s.close();
    }
  });

  it('redacts query strings and credentials from URLs it logs', () => {
    assert.equal(redactUrl('https://u:p@host.example/path?sig=abc'), 'https://host.example/path');
  });
});
