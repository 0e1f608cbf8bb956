import * as assert from 'node:assert/strict';
import { AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { CANARY_RUN, NS, shape, startKube } from '../../devkit/stand-ins/kube-fixture';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { FaultRates } from '../../devkit/net/fault-proxy';
import { ATTEMPTS_BOUND, FAULT_RATES, FaultNet, FaultRuns, SEEDS, recordRun } from '../../devkit/net/fault-net';

/** CanaryShift (Gateway API router, one analysis) with fault proxies in front of kube-apiserver and Prometheus. */
interface Scenario {
  kube: KubeApiServer;
  prom: PrometheusEmulator;
  net: FaultNet;
  run: AgentRunResult;
}

async function scenario(rates: FaultRates, seed?: number): Promise<Scenario> {
  const kube = await startKube();
  const prom = await PrometheusEmulator.start({ bearerToken: 'prom-token-7' });
  prom.script('canary_success_ratio', [0.998]);
  const net = new FaultNet(rates, seed);
  const api = await net.proxy('kube-apiserver', kube.url, { tls: true });
  const metrics = await net.proxy('prometheus', prom.url);
  const endpoint = { ...kube.serviceAccountEndpoint(), url: api.url };
  const run = await runTaskLikeAgent({
    taskDir: packagedTaskDir('CanaryShift'),
    inputs: {
      ...CANARY_RUN,
      steps: '20, pause 100ms, analysis, 100',
      prometheusUrl: metrics.url,
      prometheusToken: 'prom-token-7',
      query: 'canary_success_ratio',
      successCondition: 'result >= 0.99',
      interval: '1s',
      measurements: '1',
      rolloutTimeoutSeconds: '120',
    },
    endpoints: { k8s: endpoint },
    env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
    timeoutMs: 150_000,
  });
  return { kube, prom, net, run };
}

/** What the cluster serves afterwards: the stable Deployment, the canary (gone), the route and the Service. */
function state(s: Scenario): unknown {
  return {
    web: shape(s.kube.get('apps/v1', 'Deployment', NS, 'web')),
    canary: shape(s.kube.get('apps/v1', 'Deployment', NS, 'web-canary')),
    route: shape(s.kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')),
    outputs: s.run.outputs,
  };
}

/** Creates the API server accepted (201): a retried POST after a lost answer must meet 409, never a second object. */
const creates = (s: Scenario): number =>
  s.kube.requests.filter((r) => r.method === 'POST' && r.status >= 200 && r.status < 300).length;

describe('fault proxy: CanaryShift packaged task', function () {
  this.timeout(300_000);
  const runs = new FaultRuns<number, Scenario>();
  const { all, faulty } = runs;
  let clean: Scenario;
  before(async () => {
    // One seed after the other: three canaries, six proxies and three API servers at once starved the
    // rollout simulation on a loaded 2-core CI machine (a rollout left at 0 updated replicas for 60 s).
    clean = await runs.run(
      () => scenario({}),
      SEEDS,
      (seed) => scenario(FAULT_RATES, seed),
      { oneAtATime: true },
    );
  });
  after(async () => {
    for (const s of all) {
      await s.net.close();
      await s.kube.close();
      await s.prom.close();
    }
  });

  it('fault-free baseline: promoted, with every call through the proxies', () => {
    assert.equal(clean.run.code, 0, `${clean.run.resultMessage}\n${clean.run.stderr}`);
    assert.deepEqual(clean.run.outputs, { canaryWeight: '0', outcome: 'promoted' });
    assert.equal(
      clean.net.proxies.get('kube-apiserver')!.log.length,
      clean.kube.requests.length,
      'every API call went through the proxy',
    );
    // The dry run before any shift, then the one measurement.
    assert.equal(clean.net.proxies.get('prometheus')!.log.length, 2);
    assert.ok(creates(clean) > 0, 'the canary Deployment was created');
  });

  for (const seed of SEEDS)
    it(`seed ${seed}: converges to the fault-free end state, no duplicate create, bounded attempts`, () => {
      const run = faulty.get(seed)!;
      const duplicates = Math.max(0, creates(run) - creates(clean));
      const ratio = recordRun('CanaryShift', clean.net, run.net, duplicates);
      const detail = `${run.net.describe()}\n${run.run.resultMessage}\n${run.run.stdout.slice(-2500)}\n${run.run.stderr.slice(-1500)}`;
      assert.ok(run.net.totalInjected() > 0, 'faults were injected');
      assert.equal(run.run.code, 0, detail);
      assert.deepEqual(state(run), state(clean), detail);
      assert.equal(duplicates, 0, 'no duplicate create');
      assert.ok(ratio <= ATTEMPTS_BOUND, `attempts ${run.net.attempts()} ≤ ${ATTEMPTS_BOUND}× ${clean.net.attempts()}`);
    });
});
