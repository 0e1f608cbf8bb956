import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_IMAGE, NS, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';

/** Issue 15 sizing and issue 13's pause/promote/abort outcomes, through the runner (in-process, emulators). */
describe('CanaryShift sizing and outcomes (kube-apiserver emulator)', () => {
  let kube: KubeApiServer;
  beforeEach(async () => (kube = await startKube()));
  afterEach(() => kube.close());

  const replicas = (name: string): number | undefined =>
    (kube.get('apps/v1', 'Deployment', NS, name)?.spec as JsonObject | undefined)?.replicas as number | undefined;
  const stableTo = (n: number): void => {
    const web = kube.get('apps/v1', 'Deployment', NS, 'web')!;
    kube.seed({
      ...web,
      spec: { ...(web.spec as JsonObject), replicas: n },
      status: { observedGeneration: 1, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n },
    });
  };

  it('a canary at 50% of a 4-replica stable has 2 replicas, at 100% as many as the stable; the stable keeps 4', async () => {
    stableTo(4);
    assert.equal((await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE })).host.result?.result, 'Succeeded');
    assert.equal(replicas('web-canary'), 1);
    const seen: [string, number | undefined, number | undefined][] = [];
    for (const weight of ['50', '100', '25']) {
      const run = await runCanary(kube, { action: 'shift', weight });
      assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
      seen.push([weight, replicas('web-canary'), replicas('web')]);
    }
    assert.deepEqual(seen, [
      ['50', 2, 4],
      ['100', 4, 4],
      ['25', 1, 4],
    ]);
    // Pods before traffic when the share grows: the 100% route write came after the scale to 4.
    const writes = kube.writes();
    const scaleTo4 = writes.findIndex(
      (w) =>
        w.path.endsWith('/deployments/web-canary') && (w.body as { spec?: { replicas?: number } }).spec?.replicas === 4,
    );
    const route100 = writes.findIndex(
      (w) => w.path.endsWith('/httproutes/web') && JSON.stringify(w.body).includes('"weight":100'),
    );
    assert.ok(scaleTo4 >= 0 && route100 > scaleTo4, 'scaled before the traffic moved');
    // Traffic before pods when it shrinks: the scale to 1 came after the 25% route write.
    const route25 = writes.findIndex(
      (w) => w.path.endsWith('/httproutes/web') && JSON.stringify(w.body).includes('"weight":25'),
    );
    const scaleTo1 = writes.findIndex(
      (w, i) =>
        i > route100 &&
        w.path.endsWith('/deployments/web-canary') &&
        (w.body as { spec?: { replicas?: number } }).spec?.replicas === 1,
    );
    assert.ok(route25 >= 0 && scaleTo1 > route25, 'traffic moved before the canary shrank');
  });

  it('maxCanaryReplicas caps the canary', async () => {
    stableTo(10);
    await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE });
    const run = await runCanary(kube, { action: 'shift', weight: '80', maxCanaryReplicas: '3' });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(replicas('web-canary'), 3);
  });

  it('Argo-style steps with `pause: {}` stop at the weight (outcome paused); promote then finishes', async () => {
    const steps = '- setWeight: 20\n- pause: {duration: 100ms}\n- setWeight: 40\n- pause: {}\n- setWeight: 100\n';
    const run = await runCanary(kube, { action: 'run', image: CANARY_IMAGE, steps });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.deepEqual(run.host.outputs, { canaryWeight: '40', outcome: 'paused' });
    assert.match(run.host.lines.join('\n'), /Step 4: paused at 40% until the promote or abort action runs/);
    assert.equal(replicas('web-canary'), 2, '40% of 3');
    // A re-run of the same run stops at the same pause without writing anything.
    const before = kube.writes().length;
    const again = await runCanary(kube, { action: 'run', image: CANARY_IMAGE, steps });
    assert.deepEqual(again.host.outputs, { canaryWeight: '40', outcome: 'paused' });
    assert.deepEqual(
      kube
        .writes()
        .slice(before)
        .map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body)}`),
      [],
    );
    const promote = await runCanary(kube, { action: 'promote' });
    assert.equal(promote.host.result?.result, 'Succeeded', promote.host.result?.message);
    assert.deepEqual(promote.host.outputs, { canaryWeight: '0', outcome: 'promoted' });
    // The same pipeline run re-running its promote step: still promoted, nothing written.
    const writes = kube.writes().length;
    const rerun = await runCanary(kube, { action: 'promote' });
    assert.deepEqual([rerun.host.result?.result, rerun.host.outputs.outcome], ['Succeeded', 'promoted']);
    assert.deepEqual(
      kube
        .writes()
        .slice(writes)
        .map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body)}`),
      [],
    );
  });

  it('promote after abort says there is nothing to promote and does not report promoted', async () => {
    await runCanary(kube, { action: 'run', image: CANARY_IMAGE, steps: '20, pause' });
    const abort = await runCanary(kube, { action: 'abort' });
    assert.deepEqual(abort.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    const promote = await runCanary(kube, { action: 'promote' }, {});
    assert.equal(promote.host.result?.result, 'Failed');
    assert.match(
      promote.host.result.message,
      /Nothing to promote: no canary web-canary exists \(it was aborted, or never deployed\)/,
    );
    assert.deepEqual(promote.host.outputs, { canaryWeight: '0', outcome: 'none' });
    assert.equal((promote.record?.details as { outcome: string }).outcome, 'none');
  });

  it('a run that fails before changing anything reports outcome none, not paused', async () => {
    const prom = await PrometheusEmulator.start();
    try {
      prom.script('broken(', [{ error: 'bad_data' }]);
      const run = await runCanary(kube, {
        action: 'run',
        image: CANARY_IMAGE,
        steps: '10, analysis, 100',
        prometheusUrl: prom.url,
        query: 'broken(',
      });
      assert.equal(run.host.result?.result, 'Failed');
      assert.match(
        run.host.result.message,
        /The metrics were tried before any traffic moved, and 1 failed: metric query \(prometheus\): .*bad_data.*Nothing was changed/,
      );
      assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'none' });
      assert.deepEqual(kube.writes(), [], 'nothing was written');
    } finally {
      await prom.close();
    }
  });
});
