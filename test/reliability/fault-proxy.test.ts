import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { FaultProxy, startFaultProxy } from '../../devkit/net/fault-proxy';
import { FAULT_RATES, KINDS } from '../../devkit/net/fault-net';
import { startRewriteFront } from '../../devkit/net/rewrite-front';

/** The instruments themselves: a fault proxy that injected nothing, or not what it says, would make the suite meaningless. */
describe('fault proxy and rewrite front', function () {
  this.timeout(20_000);
  let service: http.Server;
  let url: string;
  const seen: { method?: string; host?: string }[] = [];
  before(async () => {
    service = http.createServer((req, res) => {
      seen.push({ method: req.method, host: req.headers.host });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', location: `${url}/next` });
        res.end(JSON.stringify({ self: `${url}/thing` }));
      });
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => service.close(() => resolve())));

  /** Sends n requests one after another on fresh connections; returns what the client saw. */
  async function drive(proxy: FaultProxy, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        const res = await fetch(`${proxy.url}/r${i}`, { method: 'POST', body: 'x', headers: { connection: 'close' } });
        await res.arrayBuffer();
        out.push(String(res.status));
      } catch {
        out.push('reset');
      }
    }
    return out;
  }

  it('injects about the configured share of each kind, the same sequence for the same seed', async function () {
    // 800 requests one after another: under a load of 20 on two cores (seen) they took over 20 s.
    this.timeout(90_000);
    const rates = { ...FAULT_RATES, retryAfterSeconds: 0, slowMs: 1 };
    const a = await startFaultProxy({ target: url, rates, seed: 7 });
    const b = await startFaultProxy({ target: url, rates, seed: 7 });
    try {
      const [ra, rb] = [await drive(a, 400), await drive(b, 400)];
      assert.deepEqual(ra, rb, 'seeded: same faults at the same requests');
      assert.deepEqual(
        a.log.map((r) => r.fault),
        b.log.map((r) => r.fault),
      );
      const total = KINDS.reduce((n, k) => n + a.injected[k], 0);
      assert.ok(total >= 0.14 * 400 && total <= 0.26 * 400, `about 20% faulted: ${total}/400`);
      for (const k of KINDS) assert.ok(a.injected[k] > 0, `${k} injected`);
      assert.equal(ra.filter((s) => s === '429').length, a.injected.throttle + a.injected.throttleWithRetryAfter);
      assert.equal(ra.filter((s) => s === '503').length, a.injected.unavailable);
      assert.equal(ra.filter((s) => s === 'reset').length, a.injected.resetBefore + a.injected.resetAfter);
      // A reset after the answer means the service did the work: it saw those requests, not the resetBefore ones.
      assert.equal(
        a.forwarded,
        400 - a.injected.throttle - a.injected.throttleWithRetryAfter - a.injected.unavailable - a.injected.resetBefore,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('passes the client Host header on with preserveHost (OCI signs it), the target host otherwise', async () => {
    const plain = await startFaultProxy({ target: url });
    const keep = await startFaultProxy({ target: url, preserveHost: true });
    try {
      seen.length = 0;
      await (await fetch(`${plain.url}/h`)).arrayBuffer();
      await (await fetch(`${keep.url}/h`)).arrayBuffer();
      assert.deepEqual(
        seen.map((s) => s.host),
        [new URL(url).host, new URL(keep.url).host],
      );
    } finally {
      await Promise.all([plain.close(), keep.close()]);
    }
  });

  it('rewrites the service URL in headers and JSON bodies so clients come back through the proxy', async () => {
    const front = await startRewriteFront(url);
    front.replace([[url, 'http://proxy.test:1']]);
    try {
      const res = await fetch(`${front.url}/x`);
      assert.equal(res.headers.get('location'), 'http://proxy.test:1/next');
      assert.deepEqual(await res.json(), { self: 'http://proxy.test:1/thing' });
    } finally {
      await front.close();
    }
  });
});
