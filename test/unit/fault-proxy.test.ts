import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpClient } from '../../tasks/common/http';
import { startFaultProxy } from '../../devkit/net/fault-proxy';

describe('fault proxy', () => {
  let upstream: http.Server;
  let creates = 0;
  let base = '';
  before(async () => {
    upstream = http.createServer((req, res) => {
      if (req.method === 'POST') creates++;
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ path: req.url })));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(() => upstream.close());

  it('injects the configured mix, and the shared HttpClient converges through it', async () => {
    const proxy = await startFaultProxy({
      target: base,
      rates: { throttle: 0.1, throttleWithRetryAfter: 0.1, unavailable: 0.1, resetBefore: 0.1, retryAfterSeconds: 0 },
      seed: 7,
    });
    const client = new HttpClient({
      signal: new AbortController().signal,
      deadline: Date.now() + 60_000,
      policy: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 20 },
    });
    try {
      for (let i = 0; i < 40; i++) {
        const res = await client.fetch(`${proxy.url}/item/${i}`);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { path: `/item/${i}` });
      }
      const total = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
      assert.ok(total >= 8, `expected faults, got ${JSON.stringify(proxy.injected)}`);
      assert.equal(proxy.forwarded, 40);
    } finally {
      await proxy.close();
    }
  });

  it('can reset after the service processed a request, which a POST must not blindly repeat', async () => {
    const proxy = await startFaultProxy({ target: base, rates: { resetAfter: 1 } });
    const client = new HttpClient({
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
      policy: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 10 },
    });
    const before = creates;
    try {
      await assert.rejects(client.fetch(`${proxy.url}/create`, { method: 'POST', body: '{}' }));
      assert.equal(creates - before, 1, 'processed once, not retried into a duplicate');
    } finally {
      await proxy.close();
    }
  });
});
