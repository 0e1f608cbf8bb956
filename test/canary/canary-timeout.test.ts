import { DIRECT } from '../../tasks/common/network/agent-network';
import * as assert from 'node:assert/strict';
import { HttpClient } from '../../tasks/common/http';
import { InputReader } from '../../tasks/common/inputs';
import { TaskManifest } from '../../tasks/common/manifest';
import { TaskContext } from '../../tasks/common/runner';
import { SecretRegistry } from '../../tasks/common/secrets';
import { executeCanaryShift } from '../../tasks/CanaryShift/execute';
import manifest from '../../tasks/CanaryShift/task.json';
import { readCanaryShiftOptions } from '../../tasks/CanaryShift/options';
import { RecordingHost } from '../../devkit/agent/recording-host';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { CANARY_IMAGE, NS, VARIABLES, startKube } from '../../devkit/stand-ins/kube-fixture';

/**
 * The rollout timeout, with a deadline short enough for a test: the task's execute is called with a
 * context whose deadline is 2.5 s away (the runner's minimum timeout input is 10 s), against the emulator.
 */
describe('CanaryShift timeout', () => {
  let kube: KubeApiServer;
  beforeEach(async () => (kube = await startKube()));
  afterEach(() => kube.close());

  async function execute(
    inputs: Record<string, string>,
    deadlineMs: number,
  ): Promise<{ error?: Error; host: RecordingHost; ctx: TaskContext }> {
    const host = new RecordingHost(
      {
        kubernetesServiceConnection: 'k8s',
        namespace: NS,
        deployment: 'web',
        service: 'web',
        route: 'web',
        rolloutTimeoutSeconds: '10',
        ...inputs,
      },
      VARIABLES,
      { k8s: kube.endpoint() },
    );
    const secrets = new SecretRegistry((v) => host.setSecret(v));
    const reader = new InputReader({ get: (n) => host.input(n) }, manifest as TaskManifest, secrets);
    const options = readCanaryShiftOptions(reader, host);
    reader.check();
    const controller = new AbortController();
    const deadline = Date.now() + deadlineMs;
    const ctx: TaskContext = {
      host,
      secrets,
      signal: controller.signal,
      deadline,
      http: new HttpClient({ signal: controller.signal, deadline }),
      record: { details: {} },
      run: { buildId: '4711' },
      tempDir: '/tmp',
      debug: false,
      network: DIRECT,
    };
    try {
      await executeCanaryShift(ctx, options, { pollMs: 50 });
      return { host, ctx };
    } catch (error) {
      return { error: error as Error, host, ctx };
    } finally {
      controller.abort();
    }
  }

  it('aborts a run whose canary never becomes available before the timeout, leaving time to reset traffic', async () => {
    await execute({ action: 'deploy', image: CANARY_IMAGE }, 10_000);
    await execute({ action: 'shift', weight: '20' }, 10_000);
    // A new image that never becomes ready: the run waits, times out, and aborts.
    kube.setRolloutBehavior({ outcome: 'stuck', delayMs: 0 }, NS, 'web-canary');
    const started = Date.now();
    const { error, host, ctx } = await execute(
      { action: 'run', image: 'shop.azurecr.io/web:3', steps: '50, 100', rolloutTimeoutSeconds: '10' },
      2_500,
    );
    assert.ok(error);
    assert.match(
      error.message,
      /The canary run did not finish within 10 s\..*Aborted: traffic is 100% stable and the canary was removed\./s,
    );
    assert.ok(Date.now() - started < 2_500, 'the abort finished before the hard deadline');
    assert.deepEqual(host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    assert.equal((route.spec as { rules: { backendRefs: unknown[] }[] }).rules[0].backendRefs.length, 1);
    assert.equal((ctx.record.details as { outcome: string }).outcome, 'aborted');
  });

  it('with autoAbort false, a timeout leaves the canary in place (the new revision at 0%) and says so', async () => {
    await execute({ action: 'deploy', image: CANARY_IMAGE }, 10_000);
    await execute({ action: 'shift', weight: '20' }, 10_000);
    kube.setRolloutBehavior({ outcome: 'stuck', delayMs: 0 }, NS, 'web-canary');
    const { error, host } = await execute(
      {
        action: 'run',
        image: 'shop.azurecr.io/web:3',
        steps: '50, 100',
        autoAbort: 'false',
        rolloutTimeoutSeconds: '10',
      },
      2_500,
    );
    assert.match(error!.message, /did not finish within 10 s/);
    assert.doesNotMatch(error!.message, /Aborted/);
    // The new revision never became available, so it never got the old revision's 20%.
    assert.deepEqual(host.outputs, { canaryWeight: '0', outcome: 'paused' }, host.lines.join('\n'));
    assert.ok(kube.get('apps/v1', 'Deployment', NS, 'web-canary'));
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    assert.deepEqual(
      (route.spec as { rules: { backendRefs: { weight: number }[] }[] }).rules[0].backendRefs.map((r) => r.weight),
      [100, 0],
    );
  });
});
