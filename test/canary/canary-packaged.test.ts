import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_IMAGE, CANARY_RUN, NS, STABLE_IMAGE, startKube } from '../../devkit/stand-ins/kube-fixture';
import { abortWhen } from '../../devkit/agent/abort-when';

/** The task as users install it: the bundle from the .vsix, spawned like the agent does, against the emulators. */
describe('CanaryShift packaged task (black box)', function () {
  this.timeout(60_000);
  let kube: KubeApiServer;
  let prom: PrometheusEmulator;
  beforeEach(async () => {
    kube = await startKube();
    prom = await PrometheusEmulator.start({ bearerToken: 'prom-s3cret-token' });
  });
  afterEach(async () => {
    await kube.close();
    await prom.close();
  });

  const inputs = (extra: Record<string, string>): Record<string, string> => ({
    ...CANARY_RUN,
    steps: '20, pause 200ms, analysis, 100',
    prometheusUrl: prom.url,
    prometheusToken: 'prom-s3cret-token',
    query: 'canary_success_ratio',
    successCondition: 'result >= 0.99',
    interval: '1s',
    measurements: '1',
    rolloutTimeoutSeconds: '60',
    ...extra,
  });

  it('runs the steps and promotes, with a ledger record and no secret in its output', async () => {
    prom.script('canary_success_ratio', [0.998]);
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: inputs({}),
      endpoints: { k8s: kube.serviceAccountEndpoint() },
    });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(run.result, 'Succeeded');
    assert.deepEqual(run.outputs, { canaryWeight: '0', outcome: 'promoted' });
    // The dry run of the query before any traffic moves, then the one analysis measurement.
    assert.equal(prom.queries.length, 2);
    const stable = kube.get('apps/v1', 'Deployment', NS, 'web')!;
    assert.equal(
      (stable.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image,
      CANARY_IMAGE,
    );

    const ledger = run.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!;
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    assert.equal(record.task, 'CanaryShift');
    assert.equal(record.details.outcome, 'promoted');
    assert.deepEqual(
      record.details.steps.map((s: { kind: string; weight: number }) => `${s.kind}:${s.weight}`),
      ['deploy:0', 'weight:20', 'pause:20', 'analysis:20', 'weight:100', 'promote:0'],
    );
    assert.equal(record.details.steps[3].analysis.measurements[0].value, 0.998);
    assert.equal(record.run.buildId, '4711');
    assert.match(record.target, /^127\.0\.0\.1:\d+\/namespaces\/shop\/deployments\/web$/);

    const visible = visibleOutput(run);
    for (const secret of [kube.token, 'prom-s3cret-token']) {
      assert.ok(run.secrets.includes(secret), 'registered with the agent');
      assert.ok(!visible.includes(secret), 'never printed or recorded');
    }
  });

  it('aborts on a failing metric and exits 1 with traffic back on stable', async () => {
    prom.script('canary_success_ratio', [0.8]);
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: inputs({}),
      endpoints: { k8s: kube.endpoint() },
    });
    assert.equal(run.result, 'Failed');
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /0\.8 does not satisfy result >= 0\.99\. Aborted: traffic is 100% stable/);
    assert.deepEqual(run.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(
      (
        kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as {
          template: { spec: { containers: { image: string }[] } };
        }
      ).template.spec.containers[0].image,
      STABLE_IMAGE,
    );
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /at .*\.js:\d+/, 'no stack trace');
  });

  it('rejects invalid inputs before touching the cluster', async () => {
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      // A bare `pause` is valid now (stop there for a later promote or abort): an out-of-range weight is not.
      inputs: inputs({ steps: '10, 200', service: 'Web_Service' }),
      endpoints: { k8s: kube.endpoint() },
    });
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /2 inputs are invalid/);
    assert.match(
      run.resultMessage ?? '',
      /input 'steps': step 2 \('200'\): weight 200 is not a whole number from 0 to 100/,
    );
    const tooLong = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: inputs({ steps: '10, pause 5m, analysis, 100', rolloutTimeoutSeconds: '300' }),
      endpoints: { k8s: kube.endpoint() },
    });
    assert.match(
      tooLong.resultMessage ?? '',
      /input 'rolloutTimeoutSeconds': \(300 s\) leaves 270 s for the steps, but their pauses and measurement intervals alone take 300 s/,
    );
    assert.deepEqual(kube.requests, []);
  });

  it('on cancellation (SIGTERM from the agent) returns traffic to stable before exiting', async () => {
    const shifted = (): boolean =>
      kube.requests.some(
        (r) =>
          r.method === 'PATCH' && r.path.endsWith('/httproutes/web') && JSON.stringify(r.body).includes('"weight":10'),
      );
    // Cancelled once the canary has its 10% (the 30 s pause follows), not after a fixed delay: a loaded machine
    // could still be starting the task then, and a quiet one would wait for nothing.
    const cancel = abortWhen(shifted);
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: inputs({ steps: '10, pause 30s, 100' }),
      endpoints: { k8s: kube.endpoint() },
      signal: cancel.signal,
    }).finally(() => cancel.dispose());
    assert.ok(cancel.signal.aborted && shifted(), 'the canary had 10% when the job was cancelled');
    assert.equal(run.result, 'Canceled', `${run.stdout}\n${run.stderr}`);
    assert.deepEqual(run.outputs, { canaryWeight: '0', outcome: 'aborted' });
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    assert.deepEqual((route.spec as { rules: { backendRefs: unknown[] }[] }).rules[0].backendRefs, [
      { name: 'web', port: 80 },
    ]);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
  });
});
