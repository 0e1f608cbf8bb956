import * as assert from 'node:assert/strict';
import { CheckSpec, ProxySettings, parseChecks, runChecks } from '../../tasks/common/checks';
import { issueCert } from '../../devkit/support/test-ca';
import { TestProxy, startProxy } from '../../devkit/net/smoke-proxy';
import { TestService, startService } from '../../devkit/stand-ins/smoke-service';

function checks(yaml: string): CheckSpec[] {
  const parsed = parseChecks(yaml);
  if (!parsed.ok) assert.fail(parsed.error);
  return parsed.value;
}

describe('SmokeTest engine through the agent proxy', function () {
  this.timeout(20_000);
  let svc: TestService;
  let tls: TestService;
  let proxy: TestProxy;
  const settings = (over: Partial<ProxySettings> = {}): ProxySettings => ({
    url: new URL(proxy.url),
    username: 'agent',
    password: 'pr0xy-pass',
    bypass: [],
    ...over,
  });
  const run = (base: string, yaml: string, p: ProxySettings) =>
    runChecks(checks(yaml), {
      baseUrl: new URL(base),
      concurrency: 2,
      timeoutMs: 5000,
      retries: 0,
      retryIntervalMs: 0,
      waitForReadyMs: 0,
      proxy: p,
    });

  before(async () => {
    svc = await startService();
    tls = await startService({ tls: issueCert({ days: 30 }) });
    proxy = await startProxy({ username: 'agent', password: 'pr0xy-pass' });
  });
  after(() => Promise.all([svc.close(), tls.close(), proxy.close()]));
  beforeEach(() => proxy.seen.splice(0));

  it('tunnels HTTPS with CONNECT, keeping TLS verification and certificate checks end to end', async () => {
    const report = await run(
      tls.url,
      '- { name: a, path: /healthz, expect: { certificateValidDays: 20 } }\n- { name: b, path: /healthz }',
      settings(),
    );
    assert.deepEqual(
      report.results.map((r) => r.outcome),
      ['passed', 'passed'],
      JSON.stringify(report.results),
    );
    const port = new URL(tls.url).port;
    assert.ok(proxy.seen.length >= 1 && proxy.seen.every((l) => l === `CONNECT 127.0.0.1:${port}`), proxy.seen.join());
  });

  it('sends plain HTTP to the proxy in absolute form', async () => {
    const report = await run(svc.url, '- { name: a, path: "/healthz?x=1" }', settings());
    assert.equal(report.results[0].outcome, 'passed', JSON.stringify(report.results));
    assert.deepEqual(proxy.seen, [`GET ${svc.url}/healthz?x=1`]);
  });

  it('goes direct for URLs on the bypass list', async () => {
    const report = await run(svc.url, '- { name: a, path: /healthz }', settings({ bypass: [/127\.0\.0\.1/i] }));
    assert.equal(report.results[0].outcome, 'passed');
    assert.deepEqual(proxy.seen, []);
  });

  it('reports a proxy that refuses the credentials as unreachable, naming the proxy and its answer', async () => {
    const report = await run(tls.url, '- { name: a, path: /healthz }', settings({ password: 'wrong' }));
    assert.equal(report.results[0].outcome, 'unreachable');
    assert.match(
      report.results[0].failures[0],
      /the proxy http:\/\/127\.0\.0\.1:\d+ answered 407 to CONNECT 127\.0\.0\.1:\d+/,
    );
    const plain = await run(svc.url, '- { name: a, path: /healthz }', settings({ password: 'wrong' }));
    assert.equal(plain.results[0].status, 407, 'a plain-HTTP 407 comes back as a response');
  });
});
