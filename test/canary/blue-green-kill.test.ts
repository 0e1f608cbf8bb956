import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_IMAGE, NS, STABLE_IMAGE, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';

/**
 * Blue/green killed at every write of a run (the cluster refuses everything from there on, so not even the
 * automatic abort gets through: a crashed agent). Then abort must leave the active Service on the stable
 * Deployment's pods with no preview left, and a re-run must converge to the promotion.
 */
describe('CanaryShift blue/green killed at every write (kube-apiserver emulator)', function () {
  this.timeout(600_000);
  let prom: PrometheusEmulator;
  before(async () => {
    prom = await PrometheusEmulator.start();
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1]);
  });
  after(() => prom.close());

  const inputs = (action = 'run'): Record<string, string> => ({
    strategy: 'blueGreen',
    action,
    image: CANARY_IMAGE,
    trafficRouter: 'gatewayApi',
    scaleDownDelaySeconds: '0',
    metrics: `- name: preview-ok\n  provider: prometheus\n  address: ${prom.url}\n  query: preview_ok\n- name: live-ok\n  provider: prometheus\n  address: ${prom.url}\n  query: live_ok\n`,
    prePromotionAnalysis: 'preview-ok',
    postPromotionAnalysis: 'live-ok',
  });
  const selector = (kube: KubeApiServer, name: string): unknown =>
    (kube.get('v1', 'Service', NS, name)?.spec as JsonObject | undefined)?.selector;
  const image = (kube: KubeApiServer): string =>
    (kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec.containers[0].image;
  const left = (kube: KubeApiServer): unknown[] => [
    kube.get('apps/v1', 'Deployment', NS, 'web-preview')?.metadata,
    kube.get('v1', 'Service', NS, 'web-preview')?.metadata,
  ];

  /** A run killed at write `k`: the cluster as the crash left it. */
  async function killedAt(k: number): Promise<KubeApiServer> {
    const kube = await startKube();
    kube.injectFault({ status: 403, count: 10_000, skip: k });
    const run = await runCanary(kube, inputs());
    assert.equal(run.host.result?.result, 'Failed', `killed at write ${k + 1}`);
    kube.clearFaults();
    return kube;
  }

  let writes = 0;
  it('a whole run (the kill points are its writes)', async () => {
    const kube = await startKube();
    try {
      const run = await runCanary(kube, inputs());
      assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
      writes = kube.writes().length;
      assert.ok(writes >= 8, `${writes} writes`);
    } finally {
      await kube.close();
    }
  });

  it('abort after a kill at every write: active Service on the stable pods, no preview', async () => {
    const seen: string[] = [];
    for (let k = 0; k < writes; k++) {
      const kube = await killedAt(k);
      try {
        const stableBefore = image(kube);
        const abort = await runCanary(kube, inputs('abort'));
        assert.equal(abort.host.result?.result, 'Succeeded', `kill ${k + 1}: ${abort.host.result?.message}`);
        assert.deepEqual(selector(kube, 'web'), { app: 'web' }, `kill ${k + 1}`);
        assert.deepEqual(left(kube), [undefined, undefined], `kill ${k + 1}`);
        // The old version stays what the stable ran unless the kill came after the stable took the new spec.
        assert.equal(image(kube), stableBefore, `kill ${k + 1}`);
        seen.push(stableBefore === STABLE_IMAGE ? 'old' : 'new');
      } finally {
        await kube.close();
      }
    }
    assert.ok(seen.includes('old') && seen.includes('new'), seen.join(' '));
  });

  it('a re-run after a kill at every write converges to the promotion, and one more run writes nothing', async () => {
    for (let k = 0; k < writes; k++) {
      const kube = await killedAt(k);
      try {
        const rerun = await runCanary(kube, inputs());
        assert.equal(rerun.host.result?.result, 'Succeeded', `kill ${k + 1}: ${rerun.host.result?.message}`);
        assert.equal(rerun.host.outputs.outcome, 'promoted');
        assert.equal(image(kube), CANARY_IMAGE, `kill ${k + 1}`);
        assert.deepEqual(selector(kube, 'web'), { app: 'web' }, `kill ${k + 1}`);
        assert.deepEqual(left(kube), [undefined, undefined], `kill ${k + 1}`);
        const n = kube.writes().length;
        await runCanary(kube, inputs());
        assert.deepEqual(kube.writes().slice(n), [], `kill ${k + 1}: a converged run writes nothing`);
      } finally {
        await kube.close();
      }
    }
  });
});
