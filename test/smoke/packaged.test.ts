import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentRunOptions, runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { issueCert } from '../../devkit/support/test-ca';
import { startProxy } from '../../devkit/net/smoke-proxy';
import { TestService, startService } from '../../devkit/stand-ins/smoke-service';
import { abortWhen } from '../../devkit/agent/abort-when';

/** The packaged task, spawned the way the agent spawns it, against real local HTTP(S) services. */
function run(opts: Omit<AgentRunOptions, 'taskDir'>): ReturnType<typeof runTaskLikeAgent> {
  // The harness builds the child's environment from scratch: pass the test CA on like an agent admin would.
  const env = { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '', ...opts.env };
  return runTaskLikeAgent({ taskDir: packagedTaskDir('SmokeTest'), timeoutMs: 20_000, ...opts, env });
}

describe('SmokeTest packaged task (black box)', function () {
  this.timeout(30_000);
  const token = 'Sup3r-S3cret/Token+=';
  let tls: TestService;
  before(async () => {
    tls = await startService({ tls: issueCert({ days: 30 }), token });
  });
  after(() => tls.close());

  it('passes over HTTPS with the test CA, sets outputs, and publishes JUnit to the Tests tab', async () => {
    const r = await run({
      inputs: {
        baseUrl: tls.url,
        checks: [
          '- { name: health, path: /healthz, expect: { status: 2xx, json: { $.status: UP }, certificateValidDays: 14, maxDurationMs: 5000 } }',
          '- { name: version, path: /healthz, expect: { headers: { x-service-version: { matches: "^1\\\\." } } } }',
        ].join('\n'),
        p95ThresholdMs: '5000',
      },
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.result, 'Succeeded');
    assert.deepEqual(r.outputs, { passed: '2', failed: '0', p95Ms: r.outputs.p95Ms });
    assert.match(r.outputs.p95Ms, /^\d+$/);
    const pub = r.commands.find((c) => c.command === 'results.publish');
    assert.ok(pub, 'results.publish emitted');
    assert.deepEqual(
      { ...pub.properties, resultFiles: undefined },
      {
        type: 'JUnit',
        mergeResults: 'false',
        runTitle: `Smoke tests: ${tls.url}`,
        publishRunAttachments: 'true',
        resultFiles: undefined,
      },
    );
    assert.ok(pub.properties.resultFiles.startsWith(r.tempDir), 'under the agent temp directory');
    const xml = fs.readFileSync(pub.properties.resultFiles, 'utf8');
    assert.match(xml, /<testcase name="health" classname="SmokeTest\.127\.0\.0\.1:\d+" time="\d+\.\d{3}">/);
    assert.match(xml, /<testcase name="threshold p95ThresholdMs"/);
    assert.equal(r.summaries.length, 2);
    assert.equal(r.stderr, '');
  });

  it('fails a near-expiry certificate, a 500 and a slow endpoint, each named with what came back', async () => {
    const soon = await startService({ tls: issueCert({ days: 1 }) });
    try {
      const r = await run({
        inputs: {
          baseUrl: soon.url,
          checks: [
            '- { name: cert, path: /healthz, expect: { certificateValidDays: 7 } }',
            '- { name: db, path: /error }',
            '- { name: latency, path: "/slow?ms=300", expect: { maxDurationMs: 100 } }',
            '- { name: fine, path: /healthz }',
          ].join('\n'),
        },
      });
      assert.equal(r.result, 'Failed');
      assert.equal(r.result, 'Failed');
      const msg = r.resultMessage ?? '';
      assert.match(msg, /^SmokeTest failed: 1 of 4 check\(s\) passed/);
      assert.match(
        msg,
        /check 'cert' \(GET https:\/\/127\.0\.0\.1:\d+\/healthz, status 200, \d+ ms\) assertion failed: expected the certificate of localhost to be valid for 7 more day\(s\), it expires in [01]\.\d day/,
      );
      assert.match(msg, /check 'db' .*expected status 2xx, got 500; body: internal error: database connection refused/);
      assert.match(msg, /check 'latency' .*expected a response within 100 ms, took \d+ ms/);
      assert.deepEqual({ passed: r.outputs.passed, failed: r.outputs.failed }, { passed: '1', failed: '3' });
      const xml = fs.readFileSync(
        r.commands.find((c) => c.command === 'results.publish')!.properties.resultFiles,
        'utf8',
      );
      assert.equal((xml.match(/<failure /g) ?? []).length, 3);
      assert.ok(!/\n\s+at .+:\d+:\d+/.test(r.stdout), 'no stack trace');
    } finally {
      await soon.close();
    }
  });

  it('waits for a service that starts late, then passes', async () => {
    const late = await startService({ readyAfterMs: 1000 });
    try {
      const r = await run({
        inputs: {
          baseUrl: late.url,
          waitForReadySeconds: '10',
          retryIntervalSeconds: '0.2',
          checks: '- { name: ready, path: /flaky }\n- { name: health, path: /healthz }\n',
        },
      });
      assert.equal(r.result, 'Succeeded', r.resultMessage);
      assert.ok(
        (late.hits.get('/flaky') ?? 0) > 1,
        `polled /flaky ${late.hits.get('/flaky')} time(s): it should have answered 503 first`,
      );
    } finally {
      await late.close();
    }
  });

  it('never prints a secret header value: inline (agent-expanded) or $(ref) in a checks file, even when the service echoes it', async () => {
    const checksFile = 'smoke.yml';
    const r0 = await run({
      secretVariables: { apiToken: token },
      variables: { 'System.Debug': 'true' },
      inputs: {
        baseUrl: tls.url,
        // What the agent hands over after expanding $(apiToken) in an inline input.
        checks: `- { name: echo, path: /echo, headers: { X-Custom: "${token}" }, expect: { json: { $.method: PUT } } }\n`,
      },
    });
    const fileDir = r0.tempDir;
    fs.writeFileSync(
      path.join(fileDir, checksFile),
      '- name: echo\n  path: /echo\n  headers: { X-Custom: $(apiToken) }\n  expect: { body: { contains: nothing-like-this } }\n',
    );
    const r1 = await run({
      secretVariables: { apiToken: token },
      variables: { 'System.Debug': 'true', 'System.DefaultWorkingDirectory': fileDir },
      inputs: { baseUrl: tls.url, checksFile: path.join(fileDir, checksFile) },
    });
    for (const r of [r0, r1]) {
      assert.equal(r.result, 'Failed', r.resultMessage);
      assert.ok(r.secrets.includes(token), 'registered with the agent');
      const junit = fs.readFileSync(
        r.commands.find((c) => c.command === 'results.publish')!.properties.resultFiles,
        'utf8',
      );
      const visible = `${visibleOutput(r)}\n${junit}`;
      assert.ok(visible.includes('***'), 'the echoed value is shown masked');
      for (const form of [token, encodeURIComponent(token), Buffer.from(token).toString('base64')])
        assert.ok(!visible.includes(form), `leaked ${form}`);
    }
    assert.equal(tls.lastHeaders.get('/echo')?.['x-custom'], token, 'the secret was really sent');
  });

  it("goes through the agent's proxy with its credentials, and never prints them", async () => {
    const proxy = await startProxy({ username: 'agent', password: 'Pr0xy-Passw0rd!' });
    try {
      const r = await run({
        variables: {
          'Agent.ProxyUrl': proxy.url,
          'Agent.ProxyUsername': 'agent',
          'Agent.ProxyBypassList': '["contoso\\.internal"]',
          'System.Debug': 'true',
        },
        secretVariables: { 'Agent.ProxyPassword': 'Pr0xy-Passw0rd!' },
        inputs: {
          baseUrl: tls.url,
          checks: '- { name: health, path: /healthz, expect: { certificateValidDays: 20 } }\n',
        },
      });
      assert.equal(r.result, 'Succeeded', r.resultMessage);
      assert.deepEqual(proxy.seen, [`CONNECT ${new URL(tls.url).host}`]);
      const basic = Buffer.from('agent:Pr0xy-Passw0rd!').toString('base64');
      assert.ok(r.secrets.includes('Pr0xy-Passw0rd!') && r.secrets.includes(basic));
      // task-lib itself logs Agent.ProxyPassword in a debug line as it loads, before any task code
      // runs; the agent masks it (it set the secret). Everything else must be clean.
      const visible = visibleOutput(r)
        .split('\n')
        .filter((l) => !l.startsWith('##vso[task.debug]Agent.ProxyPassword='))
        .join('\n');
      assert.match(visible, /via the agent proxy http:\/\/127\.0\.0\.1:\d+\)/);
      for (const form of ['Pr0xy-Passw0rd!', basic]) assert.ok(!visible.includes(form), `leaked ${form}`);
    } finally {
      await proxy.close();
    }
  });

  it('stops promptly and reports Cancelled when the agent cancels the job', async () => {
    // Cancelled once the hung request reached the service (not after a fixed delay a slow start can outlast).
    const slow = tls.hits.get('/slow') ?? 0;
    const cancel = abortWhen(() => (tls.hits.get('/slow') ?? 0) > slow);
    let cancelledAt = 0;
    cancel.signal.addEventListener('abort', () => (cancelledAt = Date.now()));
    const r = await run({
      inputs: { baseUrl: tls.url, checks: '- { name: hung, path: "/slow?ms=20000" }\n' },
      signal: cancel.signal,
    }).finally(() => cancel.dispose());
    assert.ok(cancel.signal.aborted, 'the hung request reached the service');
    assert.equal(r.result, 'Canceled', r.stdout);
    assert.ok(Date.now() - cancelledAt < 8000, 'stopped promptly: did not wait for the hung request (20 s)');
  });

  it('rejects bad checks before any request, naming the check and the field', async () => {
    const svc = await startService();
    try {
      const r = await run({
        inputs: {
          baseUrl: svc.url,
          checks: '- { name: health, path: /healthz, expect: { body: { matches: "([a-z]" } } }\n',
        },
      });
      assert.equal(r.result, 'Failed');
      assert.match(
        r.resultMessage ?? '',
        /^input 'checks': check 'health': expect.body.matches: '\(\[a-z\]' is not a valid regular expression/,
      );
      assert.equal(svc.hits.size, 0);
      assert.equal(r.attachments.length, 0);
    } finally {
      await svc.close();
    }
  });
});
