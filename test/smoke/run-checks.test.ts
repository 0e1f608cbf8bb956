import * as assert from 'node:assert/strict';
import { CheckSpec, RunOptions, parseChecks, runChecks } from '../../tasks/common/checks';
import { issueCert } from '../../devkit/support/test-ca';
import { TestService, closedPort, startService } from '../../devkit/stand-ins/smoke-service';

function checks(yaml: string): CheckSpec[] {
  const parsed = parseChecks(yaml);
  if (!parsed.ok) assert.fail(parsed.error);
  return parsed.value;
}

function options(baseUrl: string, over: Partial<RunOptions> = {}): RunOptions {
  return {
    baseUrl: new URL(baseUrl),
    concurrency: 4,
    timeoutMs: 5000,
    retries: 0,
    retryIntervalMs: 50,
    waitForReadyMs: 0,
    ...over,
  };
}

describe('SmokeTest engine against real local services', function () {
  this.timeout(20_000);
  let svc: TestService;
  let tls: TestService;
  let nearExpiry: TestService;
  before(async () => {
    svc = await startService({ readyAfterMs: 1000, token: 'tok-123' });
    tls = await startService({ tls: issueCert({ days: 30 }) });
    nearExpiry = await startService({ tls: issueCert({ days: 1 }) });
  });
  after(async () => Promise.all([svc.close(), tls.close(), nearExpiry.close()]));

  it('passes healthy checks, keeps their order and reports p95 over them', async () => {
    const report = await runChecks(
      checks(`
- { name: health, path: /healthz, expect: { status: 200, json: { $.status: UP }, headers: { x-service-version: 1.2.3 } } }
- { name: slow, path: "/slow?ms=150", expect: { body: slow } }
- { name: auth, path: /auth, headers: { Authorization: Bearer tok-123 }, expect: { json: { $.user: pipeline } } }
- { name: post, method: POST, path: /echo, json: { a: 1 }, expect: { json: { $.method: POST, $.body: '{"a":1}', "$.headers['content-type']": application/json } } }
`),
      options(svc.url),
    );
    assert.deepEqual(
      report.results.map((r) => [r.name, r.outcome]),
      [
        ['health', 'passed'],
        ['slow', 'passed'],
        ['auth', 'passed'],
        ['post', 'passed'],
      ],
      JSON.stringify(report.results),
    );
    assert.equal(report.ok, true);
    assert.equal(report.passed, 4);
    assert.ok(report.p95Ms >= 150, `p95 ${report.p95Ms} includes the slow check`);
    assert.equal(report.requests, 4);
  });

  it('tells a 500 (assertion failed, with a body excerpt) from a closed port (unreachable) and a hung one (timed out)', async () => {
    const port = await closedPort();
    const report = await runChecks(
      checks(`
- { name: error, path: /error }
- { name: gone, url: "http://127.0.0.1:${port}/healthz" }
- { name: hung, path: "/slow?ms=3000", timeoutSeconds: 0.3 }
`),
      options(svc.url),
    );
    const [error, gone, hung] = report.results;
    assert.equal(error.outcome, 'assertion');
    assert.equal(error.status, 500);
    assert.deepEqual(error.failures, ['expected status 2xx, got 500']);
    assert.equal(error.bodyExcerpt, 'internal error: database connection refused');
    assert.equal(gone.outcome, 'unreachable');
    assert.match(gone.failures[0], /ECONNREFUSED/);
    assert.equal(hung.outcome, 'timeout');
    assert.match(hung.failures[0], /no complete response within 300 ms/);
    assert.equal(report.ok, false);
    assert.equal(report.failed, 3);
  });

  it('trusts the test CA over HTTPS and fails a certificate that expires too soon', async () => {
    const ok = await runChecks(
      checks('- { name: tls, path: /healthz, expect: { certificateValidDays: 20 } }'),
      options(tls.url),
    );
    assert.equal(ok.results[0].outcome, 'passed', ok.results[0].failures.join());
    const soon = await runChecks(
      checks('- { name: tls, path: /healthz, expect: { certificateValidDays: 7 } }'),
      options(nearExpiry.url),
    );
    assert.equal(soon.results[0].outcome, 'assertion');
    assert.match(
      soon.results[0].failures[0],
      /certificate of localhost to be valid for 7 more day\(s\), it expires in [01]\.\d day\(s\)/,
    );
  });

  it('reports a certificate for the wrong name as a TLS error, without switching verification off', async () => {
    const wrong = await startService({ tls: issueCert({ names: ['other.example'] }) });
    try {
      const report = await runChecks(checks('- { name: tls, path: /healthz }'), options(wrong.url));
      assert.equal(report.results[0].outcome, 'tls');
      assert.match(report.results[0].failures[0], /TLS handshake failed: .*ERR_TLS_CERT_ALTNAME_INVALID/);
      assert.equal(wrong.hits.size, 0, 'no request was sent');
    } finally {
      await wrong.close();
    }
  });

  it('uses a Host header as the TLS server name, to test a virtual host by IP', async () => {
    const vhost = await startService({ tls: issueCert({ names: ['orders.smoke.example'] }) });
    try {
      const report = await runChecks(
        checks(`
- { name: by-host, path: /healthz, headers: { Host: "orders.smoke.example:443" } }
- { name: by-ip, path: /healthz }
`),
        options(vhost.url),
      );
      assert.deepEqual(
        report.results.map((r) => r.outcome),
        ['passed', 'tls'],
        JSON.stringify(report.results),
      );
    } finally {
      await vhost.close();
    }
  });

  it('rejects certificateValidDays on plain HTTP before sending anything', async () => {
    const before = svc.hits.get('/healthz') ?? 0;
    await assert.rejects(
      runChecks(
        checks('- { name: a, path: /healthz }\n- { name: b, path: /healthz, expect: { certificateValidDays: 5 } }'),
        options(svc.url),
      ),
      /check 'b': expect.certificateValidDays needs an https URL/,
    );
    assert.equal(svc.hits.get('/healthz') ?? 0, before);
  });

  it('waits for a service that becomes ready after a second', async () => {
    const fresh = await startService({ readyAfterMs: 1000 });
    try {
      const lines: string[] = [];
      const report = await runChecks(
        checks('- { name: ready, path: /flaky }\n- { name: health, path: /healthz }'),
        options(fresh.url, { waitForReadyMs: 5000, retryIntervalMs: 200 }),
        { log: (l) => lines.push(l) },
      );
      assert.equal(report.ok, true, JSON.stringify(report.results));
      assert.ok(report.results[0].attempts > 1, `${report.results[0].attempts} attempts`);
      assert.ok(
        lines.some((l) => /ready after \d+ attempts/.test(l)),
        lines.join('\n'),
      );
      assert.equal(report.failed, 0, 'polls before ready do not count as failures');
    } finally {
      await fresh.close();
    }
  });

  it('gives up waiting when the window closes, and skips the other checks', async () => {
    const slowStart = await startService({ readyAfterMs: 60_000 });
    try {
      const report = await runChecks(
        checks('- { name: ready, path: /flaky }\n- { name: health, path: /healthz }'),
        options(slowStart.url, { waitForReadyMs: 600, retryIntervalMs: 100 }),
      );
      assert.equal(report.results[0].outcome, 'assertion');
      assert.match(
        report.results[0].failures[0],
        /^not ready within 1 s \(\d+ attempts\); last attempt: expected status 2xx, got 503/,
      );
      assert.equal(report.results[1].outcome, 'skipped');
      assert.equal(slowStart.hits.get('/healthz'), undefined, 'the skipped check sent nothing');
      assert.equal(report.failed, 2);
      assert.equal(report.skipped, 1);
    } finally {
      await slowStart.close();
    }
  });

  it('retries a failing check up to its retries, and no further', async () => {
    const report = await runChecks(
      checks(`
- { name: third-time, path: "/fail-first?n=2&key=a", retries: 2 }
- { name: not-enough, path: "/fail-first?n=2&key=b", retries: 1 }
- { name: default, path: "/fail-first?n=1&key=c" }
`),
      options(svc.url, { retries: 1 }),
    );
    assert.deepEqual(
      report.results.map((r) => [r.outcome, r.attempts]),
      [
        ['passed', 3],
        ['assertion', 2],
        ['passed', 2],
      ],
    );
    assert.equal(report.requests, 7);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const fresh = await startService();
    try {
      const list = Array.from({ length: 9 }, (_, i) => `- { name: c${i}, path: "/slow?ms=100" }`).join('\n');
      const report = await runChecks(checks(list), options(fresh.url, { concurrency: 3 }));
      assert.equal(report.passed, 9);
      assert.equal(fresh.maxInFlight(), 3);
    } finally {
      await fresh.close();
    }
  });

  it('applies the p95 and failure-rate thresholds', async () => {
    const list = checks(`
- { name: fast1, path: /healthz }
- { name: fast2, path: /healthz }
- { name: slow, path: "/slow?ms=300" }
- { name: broken, path: /error }
`);
    const strict = await runChecks(list, options(svc.url, { p95ThresholdMs: 100 }));
    assert.equal(strict.ok, false);
    assert.deepEqual(
      strict.thresholds.map((t) => [t.name, t.ok]),
      [['p95ThresholdMs', false]],
    );
    assert.match(strict.thresholds[0].message, /^p95 \d+ ms > 100 ms over 4 request\(s\)$/);
    const tolerant = await runChecks(list, options(svc.url, { p95ThresholdMs: 5000, maxFailureRate: 0.25 }));
    assert.equal(tolerant.ok, true, 'one failure in four is within 25%');
    assert.equal(tolerant.failureRate, 0.25);
    const tight = await runChecks(list, options(svc.url, { maxFailureRate: 0.2 }));
    assert.equal(tight.ok, false);
    assert.match(tight.thresholds[0].message, /failure rate 25% \(1 of 4\) > 20%/);
  });

  it('follows redirects only when asked, and drops credentials on a cross-origin hop', async () => {
    const report = await runChecks(
      checks(`
- { name: no-follow, path: /redirect, expect: { status: 302, headers: { location: /healthz } } }
- { name: follow, path: /redirect, followRedirects: true, expect: { json: { $.status: UP } } }
- { name: away, path: "/redirect-away?to=${encodeURIComponent(`${tls.url}/echo`)}", followRedirects: true, headers: { Authorization: Bearer tok-123, X-Keep: yes } }
`),
      options(svc.url),
    );
    assert.deepEqual(
      report.results.map((r) => r.outcome),
      ['passed', 'passed', 'passed'],
      JSON.stringify(report.results),
    );
    const seen = tls.lastHeaders.get('/echo') ?? {};
    assert.equal(seen.authorization, undefined, 'Authorization did not follow to another origin');
    assert.equal(seen['x-keep'], 'yes');
  });

  it('redacts what it keeps from a response: an echoed secret never reaches the result', async () => {
    // Longer than a failure message shows of a value: it must be masked before it is cut.
    const secret = `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(100)}.S3cret-Signature`;
    const report = await runChecks(
      checks(
        `- { name: echo, path: /echo, headers: { X-Api-Key: ${secret} }, expect: { json: { "$.headers['x-api-key']": wrong } } }`,
      ),
      options(svc.url),
      {
        redact: (t) => t.split(secret).join('***'),
      },
    );
    const r = report.results[0];
    assert.equal(r.outcome, 'assertion');
    assert.ok(JSON.stringify(r).includes('***'));
    assert.ok(!JSON.stringify(r).includes(secret.slice(0, 40)), JSON.stringify(r));
    assert.match(r.failures[0], /^expected \$\.headers\['x-api-key'\] to equal "wrong", got "\*\*\*"$/);
  });

  it('stops at once when the task is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by test')), 200);
    const t0 = Date.now();
    await assert.rejects(
      runChecks(checks('- { name: hung, path: "/slow?ms=5000" }'), options(svc.url, { signal: controller.signal })),
      /cancelled by test/,
    );
    assert.ok(Date.now() - t0 < 2000);
  });
});
