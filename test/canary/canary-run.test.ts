import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_IMAGE, NS, STABLE_IMAGE, runCanary, shape, startKube } from '../../devkit/stand-ins/kube-fixture';

const QUERY =
  'sum(rate(http_requests_total{app="web-canary",code!~"5.."}[1m])) / sum(rate(http_requests_total{app="web-canary"}[1m]))';

describe('CanaryShift run (in-process, kube-apiserver and Prometheus emulators)', () => {
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

  const image = (name: string, container = 'web'): string | undefined => {
    const d = kube.get('apps/v1', 'Deployment', NS, name);
    const containers = ((d?.spec as JsonObject)?.template as JsonObject)?.spec as
      { containers: { name: string; image: string }[] } | undefined;
    return containers?.containers.find((c) => c.name === container)?.image;
  };
  const runInputs = {
    action: 'run',
    image: CANARY_IMAGE,
    steps: '10, pause 100ms, analysis, 50, analysis, 100',
    successCondition: 'result >= 0.99',
  };

  it('walks the steps to 100%, promotes, and leaves the route as it was', async () => {
    const routeBefore = shape(kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web'));
    prom.script(QUERY, ['empty', 0.999, 0.995]);
    const run = await runCanary(kube, { ...runInputs, prometheusUrl: prom.url, query: QUERY });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'promoted' });

    assert.equal(image('web'), CANARY_IMAGE);
    assert.equal(image('web', 'proxy'), 'docker.io/envoyproxy/envoy:v1.31');
    const podSpec = ((kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as JsonObject).template as JsonObject)
      .spec as JsonObject;
    assert.deepEqual(podSpec.workloadRef, { name: 'web-gang' }, 'fields unknown to the client survive the round trip');
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    assert.equal(kube.get('v1', 'Service', NS, 'web-canary'), undefined);
    const routeAfter = shape(kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')) as { spec: unknown };
    assert.deepEqual(routeAfter.spec, (routeBefore as { spec: unknown }).spec);
    assert.equal(prom.queries.length, 3, 'the dry run, then one query per analysis');

    // Every weight change went to the HTTPRoute as a merge patch; the stable was first written after the last one.
    const writes = kube.writes();
    const routeWrites = writes.filter((w) => w.path.endsWith('/httproutes/web'));
    assert.deepEqual(
      routeWrites.map((w) => w.contentType),
      Array(routeWrites.length).fill('application/merge-patch+json'),
    );
    const weights = routeWrites.map(
      (w) =>
        (w.body as { spec: { rules: { backendRefs: { weight?: number }[] }[] } }).spec.rules[0].backendRefs[1]?.weight,
    );
    assert.deepEqual(weights, [10, 50, 100, undefined]);
    const firstStableWrite = writes.findIndex((w) => w.path.endsWith('/deployments/web'));
    const lastShift = writes.findIndex((w) => w === routeWrites[2]);
    assert.ok(firstStableWrite > lastShift, 'the stable Deployment is changed only by promote');
    assert.equal(writes[firstStableWrite].contentType, 'application/json-patch+json');

    const details = run.record?.details as {
      steps: { kind: string; weight: number; at: string; analysis?: { measurements: { value: number }[] } }[];
      outcome: string;
    };
    assert.deepEqual(
      details.steps.map((s) => `${s.kind}:${s.weight}`),
      ['deploy:0', 'weight:10', 'pause:10', 'analysis:10', 'weight:50', 'analysis:50', 'weight:100', 'promote:0'],
    );
    assert.deepEqual(
      details.steps.filter((s) => s.analysis).map((s) => s.analysis!.measurements[0].value),
      [0.999, 0.995],
    );
    assert.ok(details.steps.every((s) => !Number.isNaN(Date.parse(s.at))));
    assert.equal(details.outcome, 'promoted');
    assert.deepEqual(run.record?.artifact, {
      registry: 'shop.azurecr.io',
      repository: 'web',
      digest: `sha256:${'b'.repeat(64)}`,
    });
    assert.equal(run.record?.status, 'succeeded');
  });

  it('aborts on a failed analysis: traffic 100% stable first, canary removed, stable untouched', async () => {
    prom.script(QUERY, ['empty', 0.999, 0.42]);
    const run = await runCanary(kube, { ...runInputs, prometheusUrl: prom.url, query: QUERY });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /Analysis at step 5 failed: query: 1 failed measurement\(s\), more than the failure limit of 0; last: 0\.42 does not satisfy result >= 0\.99\. Aborted: traffic is 100% stable/,
    );
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(image('web'), STABLE_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    assert.equal(
      kube.writes().filter((w) => w.path.endsWith('/deployments/web')).length,
      0,
      'the stable Deployment is never written',
    );
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    assert.deepEqual((route.spec as JsonObject).rules, [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] },
    ]);
    // The route was reset before the canary went away.
    const writes = kube.writes();
    const reset = writes
      .map((w, i) => ({ w, i }))
      .filter(({ w }) => w.path.endsWith('/httproutes/web'))
      .pop()!.i;
    const canaryDelete = writes.findIndex((w) => w.method === 'DELETE' && w.path.endsWith('/deployments/web-canary'));
    assert.ok(reset < canaryDelete);
    const details = run.record?.details as { outcome: string; steps: { kind: string; note?: string }[] };
    assert.equal(details.outcome, 'aborted');
    assert.match(details.steps.find((s) => s.kind === 'abort')!.note!, /canary was at 50%/);
    assert.equal(run.record?.status, 'failed');
  });

  it('tolerates failures up to failureLimit across measurements', async () => {
    prom.script(QUERY, ['empty', 0.5, 0.999]);
    const run = await runCanary(kube, {
      ...runInputs,
      steps: '20, analysis, 100',
      measurements: '2',
      failureLimit: '1',
      prometheusUrl: prom.url,
      query: QUERY,
    });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(prom.queries.length, 3, 'the dry run, then one query per analysis');
  });

  it('retries writes that meet 409 Conflict by reading the object again', async () => {
    await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE });
    kube.injectFault({ status: 409, count: 2, method: 'PATCH', path: '/httproutes/web' });
    const run = await runCanary(kube, { action: 'shift', weight: '30' });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const patches = kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/httproutes/web'));
    assert.deepEqual(
      patches.map((p) => p.status),
      [409, 409, 200],
    );
    // Each attempt carried the resourceVersion it had just read, not the stale one.
    const versions = patches.map((p) => (p.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    assert.equal(new Set(versions).size, 3);
    assert.equal(run.host.outputs.canaryWeight, '30');
  });

  it('gives up on a canary that exceeds its progress deadline and aborts', async () => {
    kube.setRolloutBehavior({ outcome: 'progressDeadlineExceeded', delayMs: 30 }, NS, 'web-canary');
    const run = await runCanary(kube, { ...runInputs, steps: '10, 100' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /Deployment web-canary exceeded its progress deadline.*Aborted: traffic is 100% stable/s,
    );
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    assert.equal(
      kube.writes().filter((w) => w.path.includes('/httproutes/')).length,
      0,
      'traffic was never shifted to an unavailable canary',
    );
  });

  it('converges on re-runs: a second run, shift or abort writes nothing', async () => {
    prom.script(QUERY, ['empty', 0.999]);
    const first = await runCanary(kube, { ...runInputs, prometheusUrl: prom.url, query: QUERY });
    assert.equal(first.host.result?.result, 'Succeeded', first.host.result?.message);
    const before = kube.writes().length;
    const again = await runCanary(kube, { ...runInputs, prometheusUrl: prom.url, query: QUERY });
    assert.equal(again.host.result?.result, 'Succeeded');
    assert.equal(again.host.outputs.outcome, 'promoted');
    assert.deepEqual(
      kube
        .writes()
        .slice(before)
        .map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body)}`),
      [],
    );

    await runCanary(kube, { action: 'deploy', image: 'shop.azurecr.io/web:2.0' });
    await runCanary(kube, { action: 'shift', weight: '40' });
    const afterShift = kube.writes().length;
    await runCanary(kube, { action: 'shift', weight: '40' });
    await runCanary(kube, { action: 'deploy', image: 'shop.azurecr.io/web:2.0' });
    assert.deepEqual(
      kube
        .writes()
        .slice(afterShift)
        .map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body)}`),
      [],
      'same weight and same canary: no write',
    );
    const abort = await runCanary(kube, { action: 'abort' });
    assert.deepEqual(abort.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(abort.record?.artifact && (abort.record.artifact as { tags: string[] }).tags[0], '2.0');
    const afterAbort = kube.writes().length;
    const again2 = await runCanary(kube, { action: 'abort' });
    assert.equal(again2.host.result?.result, 'Succeeded');
    // Deleting what is already gone answers 404 and changes nothing.
    assert.deepEqual(
      kube
        .writes()
        .slice(afterAbort)
        .filter((w) => w.status < 400)
        .map((w) => `${w.method} ${w.path}`),
      [],
    );
  });

  it('records the pipeline run on the objects it writes', async () => {
    await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE });
    await runCanary(kube, { action: 'shift', weight: '5' });
    const canary = kube.get('apps/v1', 'Deployment', NS, 'web-canary')!;
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    for (const o of [canary, route]) {
      const a = (o.metadata as { annotations: Record<string, string> }).annotations;
      assert.equal(a['multicloud-devsecops.io/build-id'], '4711');
      assert.equal(a['multicloud-devsecops.io/pipeline'], 'shop-cd');
    }
    assert.equal(
      (route.metadata as { annotations: Record<string, string> }).annotations['multicloud-devsecops.io/canary-weight'],
      '5',
    );
    assert.equal(
      (canary.metadata as { labels: Record<string, string> }).labels['multicloud-devsecops.io/role'],
      'canary',
    );
  });

  it('retries throttled and failing API calls (429 with Retry-After, 503)', async () => {
    kube.injectFault({ status: 429, count: 2, method: 'GET', path: '/deployments/web', retryAfterSeconds: 0 });
    kube.injectFault({ status: 503, count: 1, method: 'POST', path: '/deployments' });
    const run = await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.deepEqual(
      kube.requests.filter((r) => r.status >= 400 && r.status !== 404).map((r) => `${r.method} ${r.status}`),
      ['GET 429', 'GET 429', 'POST 503'],
    );
    assert.ok(kube.get('apps/v1', 'Deployment', NS, 'web-canary'));
  });

  it('explains rejected credentials and missing RBAC permissions', async () => {
    const denied = await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE }, { token: 'expired-token' });
    assert.equal(denied.host.result?.result, 'Failed');
    assert.match(
      denied.host.result.message,
      /Unauthorized: the cluster refused the credentials of Kubernetes connection 'k8s' \(HTTP 401 Unauthorized\)\. The cluster rejected the credentials/,
    );
    assert.doesNotMatch(denied.host.result.message, /expired-token/);

    kube.injectFault({ status: 403, method: 'POST', path: '/deployments' });
    const forbidden = await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE });
    assert.match(
      forbidden.host.result!.message,
      /deployments\.apps is forbidden: User "system:serviceaccount:ci:deployer" cannot create resource "deployments" in API group "apps" in the namespace "shop" \(HTTP 403 Forbidden\)\. Grant/,
    );
    // The canary Service was created before the denial, and the automatic abort removed it again.
    assert.deepEqual(
      kube
        .writes()
        .filter((w) => w.status < 400)
        .map((w) => `${w.method} ${w.path}`),
      ['POST /api/v1/namespaces/shop/services', 'DELETE /api/v1/namespaces/shop/services/web-canary'],
    );
    assert.match(forbidden.host.result!.message, /Aborted: traffic is 100% stable/);
  });

  it('refuses to start a canary next to a failing stable Deployment', async () => {
    await new Promise((r) => setTimeout(r, 50));
    kube.setStatus('apps/v1', 'Deployment', NS, 'web', {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 0,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-1" has timed out progressing.',
        },
      ],
    });
    const run = await runCanary(kube, { action: 'run', image: CANARY_IMAGE, steps: '10, 100' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /Deployment web exceeded its progress deadline/);
    assert.deepEqual(
      kube.writes().filter((w) => w.status < 400),
      [],
      'nothing was created',
    );
  });

  it('resumes a paused run after the steps the same canary already completed', async () => {
    prom.script(QUERY, ['empty', 0.5, 0.999]);
    const inputs = {
      ...runInputs,
      steps: '10, pause 300ms, analysis, 50, 100',
      autoAbort: 'false',
      prometheusUrl: prom.url,
      query: QUERY,
    };
    const first = await runCanary(kube, inputs);
    assert.equal(first.host.result?.result, 'Failed');
    assert.deepEqual(first.host.outputs, { canaryWeight: '10', outcome: 'paused' });
    assert.ok(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), 'autoAbort false leaves the canary in place');

    const second = await runCanary(kube, inputs);
    assert.equal(second.host.result?.result, 'Succeeded', second.host.result?.message);
    const steps = (second.record?.details as { steps: { kind: string; step?: number; weight: number }[] }).steps;
    assert.deepEqual(
      steps.map((s) => `${s.step ?? '-'}:${s.kind}:${s.weight}`),
      ['-:deploy:10', '2:weight:10', '3:analysis:10', '4:weight:50', '5:weight:100', '-:promote:0'],
    );
    assert.equal(prom.queries.length, 4, 'a dry run per run, then one query per analysis');
    assert.equal(image('web'), CANARY_IMAGE);
  });
});
