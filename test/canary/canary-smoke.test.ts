import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { CANARY_IMAGE, NS, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';

/** Analysis by HTTP smoke checks against the canary, through SmokeTest's check engine. */
describe('CanaryShift analysis with smoke checks', () => {
  let kube: KubeApiServer;
  let app: http.Server;
  let healthy = true;
  const seen: string[] = [];
  let base = '';

  beforeEach(async () => {
    kube = await startKube();
    healthy = true;
    seen.length = 0;
    app = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res
        .writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: healthy ? 'ok' : 'down', version: '2.0' }));
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}/canary`;
  });
  afterEach(async () => {
    app.closeAllConnections();
    await new Promise<void>((r) => app.close(() => r()));
    await kube.close();
  });

  const checks = `
- name: health
  path: /healthz
  expect:
    status: 200
    json:
      - path: $.status
        equals: ok
`;

  it('passes and promotes when the checks pass', async () => {
    const run = await runCanary(kube, {
      action: 'run',
      image: CANARY_IMAGE,
      steps: '30, analysis, 100',
      smokeChecks: checks,
      smokeBaseUrl: base,
    });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.deepEqual(seen, ['GET /canary/healthz']);
    const steps = (
      run.record?.details as { steps: { kind: string; analysis?: { measurements: { smoke: unknown }[] } }[] }
    ).steps;
    assert.deepEqual(steps.find((s) => s.kind === 'analysis')!.analysis!.measurements[0].smoke, {
      passed: 1,
      failed: 0,
      failures: [],
    });
  });

  it('sends a secret variable the agent expanded into the checks, registering it before use', async () => {
    const token = 'canary-smoke-token-7';
    // The agent expands $(probe.token) in the input before the task starts: the text holds the value.
    const authed = `
- name: authed
  path: /healthz
  headers: { X-Probe-Token: ${token} }
`;
    const run = await runCanary(
      kube,
      { action: 'run', image: CANARY_IMAGE, steps: '30, analysis, 100', smokeChecks: authed, smokeBaseUrl: base },
      { secretVariables: { 'probe.token': token } },
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.ok(run.host.secrets.includes(token), 'registered with the agent');
    assert.ok(!run.host.lines.join('\n').includes(token), 'never printed');
  });

  it('aborts when a check fails', async () => {
    healthy = false;
    const run = await runCanary(kube, {
      action: 'run',
      image: CANARY_IMAGE,
      steps: '30, analysis, 100',
      smokeChecks: checks,
      smokeBaseUrl: base,
    });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /1 smoke check\(s\) failed: health: assertion failed.*Aborted/s);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
  });

  it('rejects invalid checks before changing anything', async () => {
    const run = await runCanary(kube, {
      action: 'run',
      image: CANARY_IMAGE,
      steps: '30, analysis, 100',
      smokeChecks: '- name: x\n  expect: { status: banana }',
      smokeBaseUrl: base,
    });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /input 'smokeChecks'/);
    assert.deepEqual(kube.requests, []);
  });
});
