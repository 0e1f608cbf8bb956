import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { CANARY_IMAGE, CANARY_RUN, NS, STABLE_IMAGE, startKube } from '../../devkit/stand-ins/kube-fixture';
import {
  CLIENT_SECRET,
  ERRORS_MQL,
  MON_COMPARTMENT,
  MetricsWorld,
  SUCCESS_KQL,
  WORKSPACE_ID,
  startMetricsWorld,
} from '../../devkit/stand-ins/metrics-world';
import { OCI_TEST_KEY } from '../../devkit/support/oci-test-key';

/** The .vsix's CanaryShift, spawned as the agent does, with Log Analytics and OCI Monitoring metrics. */
describe('CanaryShift packaged task with logAnalytics and ociMonitoring metrics', function () {
  this.timeout(90_000);
  let kube: KubeApiServer;
  let world: MetricsWorld;
  beforeEach(async () => {
    kube = await startKube();
    world = await startMetricsWorld();
  });
  afterEach(async () => {
    await kube.close();
    await world.close();
  });

  const run = () =>
    runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: {
        ...CANARY_RUN,
        steps: '20, analysis, 100',
        azureSubscription: 'azure',
        ociConnection: 'oci',
        interval: '1s',
        measurements: '1',
        metrics: [
          '- name: success-rate',
          '  provider: logAnalytics',
          `  workspaceId: ${WORKSPACE_ID}`,
          `  address: ${world.la.url}`,
          `  query: '${SUCCESS_KQL}'`,
          '  successCondition: result >= 0.99',
          '- name: lb-5xx',
          '  provider: ociMonitoring',
          `  compartmentId: ${MON_COMPARTMENT}`,
          '  namespace: oci_lbaas',
          `  query: '${ERRORS_MQL}'`,
          '  successCondition: result < 1',
        ].join('\n'),
        rolloutTimeoutSeconds: '60',
      },
      endpoints: { k8s: kube.serviceAccountEndpoint(), ...world.endpoints },
    });
  const stableImage = (): string =>
    (kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec.containers[0].image;

  it('healthy metrics promote; the ledger has both metrics; no credential in the output', async () => {
    world.canaryMetrics({ successRatio: 0.995, errors5xx: 0 });
    const r = await run();
    assert.equal(r.result, 'Succeeded', `${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0);
    assert.deepEqual(r.outputs, { canaryWeight: '0', outcome: 'promoted' });
    assert.equal(stableImage(), CANARY_IMAGE);
    const ledger = r.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!;
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    const analysis = record.details.steps.find((s: { kind: string }) => s.kind === 'analysis').analysis;
    assert.deepEqual(
      analysis.metrics.map((m: { name: string; provider: string; value: number }) => [m.name, m.provider, m.value]),
      [
        ['success-rate', 'logAnalytics', 0.995],
        ['lb-5xx', 'ociMonitoring', 0],
      ],
    );
    const visible = visibleOutput(r);
    for (const secret of [CLIENT_SECRET, OCI_TEST_KEY.privateKeyPem.split('\n')[1], kube.token])
      assert.ok(!visible.includes(secret), 'never printed or recorded');
  });

  it('a failing OCI Monitoring metric aborts: traffic back on stable, result Failed, exit code 0', async () => {
    world.canaryMetrics({ successRatio: 0.995, errors5xx: 60 });
    const r = await run();
    assert.equal(r.result, 'Failed');
    assert.equal(r.code, 0);
    assert.match(r.resultMessage ?? '', /lb-5xx: 1 failed measurement.*does not satisfy result < 1.*Aborted/);
    assert.deepEqual(r.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(stableImage(), STABLE_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /at .*\.js:\d+/, 'no stack trace');
  });
});
