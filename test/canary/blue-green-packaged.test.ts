import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_IMAGE, NS, STABLE_IMAGE, startKube } from '../../devkit/stand-ins/kube-fixture';
import { canarySteps } from '../../hub/src/data/canary-details';
import { isRecord, parseLedgerRecord } from '../../hub/src/data/parse-record';

/** Blue/green as users install it: the bundle from the .vsix, spawned like the agent does. */
describe('CanaryShift blue/green packaged task (black box)', function () {
  this.timeout(90_000);
  let kube: KubeApiServer;
  let prom: PrometheusEmulator;
  beforeEach(async () => {
    kube = await startKube();
    prom = await PrometheusEmulator.start();
  });
  afterEach(async () => {
    await kube.close();
    await prom.close();
  });

  const inputs = (extra: Record<string, string>): Record<string, string> => ({
    kubernetesServiceConnection: 'k8s',
    namespace: NS,
    strategy: 'blueGreen',
    action: 'run',
    deployment: 'web',
    service: 'web',
    trafficRouter: 'pod',
    image: CANARY_IMAGE,
    prometheusUrl: prom.url,
    metrics: '- name: preview-ok\n  query: preview_ok\n- name: live-ok\n  query: live_ok\n',
    prePromotionAnalysis: 'templates:\n- templateName: preview-ok\n',
    postPromotionAnalysis: 'live-ok',
    scaleDownDelaySeconds: '1',
    interval: '1s',
    measurements: '1',
    ...extra,
  });
  const run = (extra: Record<string, string>): ReturnType<typeof runTaskLikeAgent> =>
    runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: inputs(extra),
      endpoints: { k8s: kube.serviceAccountEndpoint() },
    });
  const image = (): string =>
    (kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec.containers[0].image;
  const selector = (): unknown => (kube.get('v1', 'Service', NS, 'web')!.spec as JsonObject).selector;

  it('run with plain Services: preview, switch, old version removed after scaleDownDelaySeconds', async () => {
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1]);
    const started = Date.now();
    const r = await run({});
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.deepEqual(r.outputs, { canaryWeight: '0', outcome: 'promoted' });
    assert.ok(Date.now() - started >= 2000, 'two scale-down delays of 1 s');
    assert.equal(image(), CANARY_IMAGE);
    assert.deepEqual(selector(), { app: 'web' });
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-preview'), undefined);
    const ledger = r.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!;
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    assert.equal(record.details.strategy, 'blueGreen');
    assert.equal(record.details.scaleDownDelaySeconds, 1);
    assert.deepEqual(
      record.details.steps.map((s: { kind: string }) => s.kind),
      ['deploy', 'analysis', 'switch', 'analysis', 'pause', 'promote', 'switch', 'pause'],
    );
    // The hub reads this very record (issue 15: the hub shows blue/green steps).
    const parsed = parseLedgerRecord(fs.readFileSync(ledger.path, 'utf8'));
    assert.ok(isRecord(parsed), JSON.stringify(parsed));
    const labels = canarySteps(parsed).map((s) => `${s.state} ${s.label}`);
    assert.equal(labels[0], 'ok preview deployed');
    assert.match(labels[1], /^ok .*pre-promotion.* passed$/i);
    assert.match(labels[2], /^ok active Service switched: web → web-preview$/);
    assert.match(labels[3], /^ok .*post-promotion.* passed$/i);
    assert.equal(labels[4], 'neutral old version kept (scaleDownDelaySeconds): 1 s');
    assert.equal(labels[5], 'ok promoted: the active Service on the new version');
    assert.ok(!labels.some((l) => /canary|%/.test(l)), labels.join(' | '));
  });

  it('a failing post-promotion analysis: Failed, active Service back on the old version', async () => {
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1, 0.5]);
    const r = await run({ trafficRouter: 'gatewayApi', route: 'web' });
    assert.equal(r.code, 0);
    assert.equal(r.result, 'Failed');
    assert.deepEqual(r.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(image(), STABLE_IMAGE);
    assert.deepEqual(selector(), { app: 'web' });
    assert.equal(kube.get('v1', 'Service', NS, 'web-preview'), undefined);
  });

  it('refuses shift and unknown analysis metrics before contacting the cluster', async () => {
    const r = await run({ action: 'shift', weight: '50', postPromotionAnalysis: 'nope' });
    assert.equal(r.result, 'Failed');
    assert.match(r.stdout, /input 'action': shift splits traffic by weight/);
    assert.match(r.stdout, /input 'postPromotionAnalysis': names metric 'nope'/);
    assert.deepEqual(kube.requests, []);
  });
});
