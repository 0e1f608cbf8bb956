import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { CANARY_IMAGE, NS, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';
import { parseCanaryHeader } from '../../tasks/CanaryShift/plan/header-route';

/** Issue 15 canaryHeader: testers reach the canary by header at weight 0, through Gateway API and Istio. */
describe('CanaryShift canaryHeader (kube-apiserver emulator)', function () {
  this.timeout(60_000);
  let kube: KubeApiServer;
  beforeEach(async () => (kube = await startKube()));
  afterEach(() => kube.close());

  const spec = (apiVersion: string, kind: string): JsonObject =>
    kube.get(apiVersion, kind, NS, 'web')!.spec as JsonObject;

  it('Gateway API: a header rule to web-canary from deploy on, kept through the shifts, gone after abort', async () => {
    const original = JSON.stringify(spec('gateway.networking.k8s.io/v1', 'HTTPRoute').rules);
    const deploy = await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE, canaryHeader: 'X-Canary=always' });
    assert.equal(deploy.host.result?.result, 'Succeeded', deploy.host.result?.message);
    assert.deepEqual(deploy.host.outputs, { canaryWeight: '0', outcome: 'paused' });
    const rules = spec('gateway.networking.k8s.io/v1', 'HTTPRoute').rules as JsonObject[];
    assert.deepEqual(rules, [
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-canary', value: 'always' }] },
        ],
        backendRefs: [{ name: 'web-canary', port: 80 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          { name: 'web', port: 80, weight: 100 },
          { name: 'web-canary', port: 80, weight: 0 },
        ],
      },
    ]);
    const shift = await runCanary(kube, { action: 'shift', weight: '20', canaryHeader: 'x-canary=always' });
    assert.deepEqual(shift.host.outputs, { canaryWeight: '20', outcome: 'paused' });
    const after = spec('gateway.networking.k8s.io/v1', 'HTTPRoute').rules as JsonObject[];
    assert.equal(after.length, 2);
    assert.deepEqual(
      (after[1].backendRefs as JsonObject[]).map((r) => r.weight),
      [80, 20],
    );
    const abort = await runCanary(kube, { action: 'abort' });
    assert.equal(abort.host.result?.result, 'Succeeded');
    assert.equal(JSON.stringify(spec('gateway.networking.k8s.io/v1', 'HTTPRoute').rules), original);
  });

  it('Istio: a header entry first (first match wins), the weight read from the split; promote removes it', async () => {
    const original = JSON.stringify(spec('networking.istio.io/v1', 'VirtualService').http);
    const inputs = { trafficRouter: 'istio', canaryHeader: 'x-canary: always' };
    const run = await runCanary(kube, { ...inputs, action: 'run', image: CANARY_IMAGE, steps: '30, pause' });
    assert.deepEqual(run.host.outputs, { canaryWeight: '30', outcome: 'paused' });
    const http = spec('networking.istio.io/v1', 'VirtualService').http as JsonObject[];
    assert.deepEqual(http[0], {
      match: [{ uri: { prefix: '/' }, headers: { 'x-canary': { exact: 'always' } } }],
      route: [{ destination: { host: 'web-canary.shop.svc.cluster.local', port: { number: 80 } } }],
    });
    assert.deepEqual(
      (http[1].route as JsonObject[]).map((r) => r.weight),
      [70, 30],
    );
    const promote = await runCanary(kube, { ...inputs, action: 'promote' });
    assert.equal(promote.host.result?.result, 'Succeeded', promote.host.result?.message);
    assert.equal(JSON.stringify(spec('networking.istio.io/v1', 'VirtualService').http), original);
  });

  it('parses name=value and name: value; refuses other routers and blue/green before any request', async () => {
    assert.deepEqual(parseCanaryHeader('X-Canary=always'), { ok: true, value: { name: 'x-canary', value: 'always' } });
    assert.deepEqual(parseCanaryHeader('x-user: tester=1'), { ok: true, value: { name: 'x-user', value: 'tester=1' } });
    for (const bad of ['novalue', 'bad header=1', '=x', 'x=']) assert.equal(parseCanaryHeader(bad).ok, false, bad);
    const nginx = await runCanary(kube, {
      action: 'deploy',
      image: CANARY_IMAGE,
      trafficRouter: 'nginx',
      canaryHeader: 'x=1',
    });
    assert.match(nginx.host.result!.message, /canaryHeader.*needs a router that matches headers; nginx does not/);
    const bg = await runCanary(kube, {
      strategy: 'blueGreen',
      action: 'deploy',
      image: CANARY_IMAGE,
      canaryHeader: 'x=1',
    });
    assert.match(
      bg.host.result!.message,
      /canaryHeader.*blue\/green testers reach the new version through previewService/,
    );
    assert.deepEqual(kube.requests, []);
  });
});
