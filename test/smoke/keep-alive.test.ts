import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { CheckSpec, parseChecks, runChecks } from '../../tasks/common/checks';

/**
 * Keep-alive sockets and lost answers. A reset on a reused keep-alive socket is ambiguous: the server may have
 * closed it while idle (the request never arrived) or processed the request and then lost the connection. The
 * engine may resend only what is harmless to repeat (RFC 9110 §9.2.2); a POST gets a connection of its own, so
 * it never meets that race, and a lost answer to it is reported instead of sent again.
 */
interface Seen {
  method: string;
  path: string;
  /** 1 for the first request on its connection. */
  onSocket: number;
  connection?: string;
}

type Act = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

async function serve(act: Act): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const perSocket = new WeakMap<Socket, number>();
  const server = http.createServer((req, res) => {
    const onSocket = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, onSocket);
    const entry = { method: req.method ?? '', path: req.url ?? '', onSocket, connection: req.headers.connection };
    seen.push(entry);
    req.resume();
    req.on('end', () => act(req, res, entry));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function checks(yaml: string): CheckSpec[] {
  const parsed = parseChecks(yaml);
  if (!parsed.ok) assert.fail(parsed.error);
  return parsed.value;
}

const ok = (res: http.ServerResponse): void =>
  void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
const opts = (url: string) => ({
  baseUrl: new URL(url),
  concurrency: 1,
  timeoutMs: 5000,
  retries: 3,
  retryIntervalMs: 10,
  waitForReadyMs: 0,
});

describe('SmokeTest engine: keep-alive sockets and lost answers', function () {
  this.timeout(20_000);

  it('a POST whose answer is lost after the service processed it reaches the service once, and says why', async () => {
    // The service does the work, then the connection dies: what a reset after processing looks like.
    const svc = await serve((req, res) => (req.method === 'POST' ? req.socket.destroy() : ok(res)));
    try {
      const report = await runChecks(
        checks(`
- { name: warm-1, path: /a }
- { name: warm-2, path: /b }
- { name: order, method: POST, path: /orders, json: { n: 1 } }
`),
        opts(svc.url),
      );
      assert.equal(svc.seen.filter((s) => s.method === 'POST').length, 1, JSON.stringify(svc.seen));
      const order = report.results[2];
      assert.deepEqual([order.outcome, order.attempts], ['unreachable', 1]);
      assert.match(order.failures.join('\n'), /not retried: the POST may have been processed/);
    } finally {
      await svc.close();
    }
  });

  it('sends a POST on a connection of its own, never on a reused keep-alive socket', async () => {
    const svc = await serve((_req, res) => ok(res));
    try {
      const report = await runChecks(
        checks(`
- { name: warm, path: /a }
- { name: order-1, method: POST, path: /orders, json: { n: 1 } }
- { name: again, path: /b }
- { name: order-2, method: PATCH, path: /orders/1, json: { n: 2 } }
`),
        opts(svc.url),
      );
      assert.equal(report.passed, 4);
      const writes = svc.seen.filter((s) => s.method !== 'GET');
      assert.deepEqual(
        writes.map((s) => [s.method, s.onSocket, s.connection]),
        [
          ['POST', 1, 'close'],
          ['PATCH', 1, 'close'],
        ],
      );
      assert.ok(
        svc.seen.some((s) => s.method === 'GET' && s.onSocket > 1),
        `GETs share a keep-alive socket: ${JSON.stringify(svc.seen)}`,
      );
    } finally {
      await svc.close();
    }
  });

  it('resends a GET once when the service dropped the reused keep-alive socket, without counting an attempt', async () => {
    // The second request on a connection finds it closed, as when a server's idle timeout races the reuse.
    const svc = await serve((req, res, seen) => (seen.onSocket > 1 ? req.socket.destroy() : ok(res)));
    try {
      const report = await runChecks(checks('- { name: one, path: /a }\n- { name: two, path: /b }'), {
        ...opts(svc.url),
        retries: 0,
      });
      assert.deepEqual(
        report.results.map((r) => [r.outcome, r.attempts]),
        [
          ['passed', 1],
          ['passed', 1],
        ],
      );
      assert.deepEqual(
        svc.seen.map((s) => [s.path, s.onSocket]),
        [
          ['/a', 1],
          ['/b', 2],
          ['/b', 1],
        ],
      );
    } finally {
      await svc.close();
    }
  });
});
