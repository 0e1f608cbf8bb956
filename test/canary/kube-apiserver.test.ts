import * as assert from 'node:assert/strict';
import type * as K8s from '@kubernetes/client-node';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';

/** The emulator driven through the real client, so its wire behaviour is what the tasks will meet. */
describe('kube-apiserver emulator (through @kubernetes/client-node)', () => {
  let kube: KubeApiServer;
  let k8s: typeof K8s;
  let apps: K8s.AppsV1Api;
  let core: K8s.CoreV1Api;
  let custom: K8s.CustomObjectsApi;

  const deployment = (name: string, image = 'r.example/web:1'): K8s.V1Deployment => ({
    metadata: { name, labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web', track: name } },
      template: { metadata: { labels: { app: 'web', track: name } }, spec: { containers: [{ name: 'web', image }] } },
    },
  });
  const status = (err: unknown): { code: number; reason: string; message: string } => {
    const e = err as { code: number; body: string };
    const body = JSON.parse(e.body);
    assert.equal(body.kind, 'Status');
    return { code: e.code, reason: body.reason, message: body.message };
  };
  const rejects = async (p: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> => {
    try {
      await p;
    } catch (err) {
      return status(err);
    }
    assert.fail('expected the API call to fail');
  };

  beforeEach(async () => {
    k8s = await import('@kubernetes/client-node');
    kube = await KubeApiServer.start({ rollout: { outcome: 'available', delayMs: 20 }, namespaces: ['shop'] });
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    apps = kc.makeApiClient(k8s.AppsV1Api);
    core = kc.makeApiClient(k8s.CoreV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
  });
  afterEach(() => kube.close());

  it('creates, reads, rolls out and reports conflicts on stale updates', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') });
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.spec?.progressDeadlineSeconds, 600);
    assert.equal(
      (await rejects(apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') }))).reason,
      'AlreadyExists',
    );
    await new Promise((r) => setTimeout(r, 60));
    const rolled = await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
    assert.equal(rolled.status?.availableReplicas, 2);
    assert.equal(rolled.status?.observedGeneration, 1);
    assert.equal(rolled.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');

    const stale = { ...created, spec: { ...created.spec, replicas: 3 } };
    const conflict = await rejects(apps.replaceNamespacedDeployment({ name: 'web', namespace: 'shop', body: stale }));
    assert.deepEqual([conflict.code, conflict.reason], [409, 'Conflict']);
    assert.match(conflict.message, /deployments\.apps "web": the object has been modified/);
    const nf = await rejects(apps.readNamespacedDeployment({ name: 'nope', namespace: 'shop' }));
    assert.deepEqual([nf.code, nf.message], [404, 'deployments.apps "nope" not found']);
    const noNs = await rejects(apps.createNamespacedDeployment({ namespace: 'ghost', body: deployment('web') }));
    assert.deepEqual([noNs.code, noNs.message], [404, 'namespaces "ghost" not found']);
  });

  it('validates the selector against the template labels and keeps it immutable', async () => {
    const bad = deployment('web');
    bad.spec!.template.metadata!.labels = { app: 'other' };
    assert.equal((await rejects(apps.createNamespacedDeployment({ namespace: 'shop', body: bad }))).code, 422);
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') });
    const patch = [{ op: 'replace', path: '/spec/selector', value: { matchLabels: { app: 'web' } } }];
    const immutable = await rejects(
      apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'shop', body: patch },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      ),
    );
    assert.match(immutable.message, /field is immutable/);
  });

  it('applies strategic merge by container name and bumps generation only on spec changes', async () => {
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') });
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'shop',
        body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'r.example/web:2' }] } } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    assert.equal(patched.spec?.template.spec?.containers.length, 1);
    assert.equal(patched.spec?.template.spec?.containers[0].image, 'r.example/web:2');
    assert.equal(patched.metadata?.generation, 2);
    const labelled = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'shop', body: { metadata: { annotations: { a: 'b' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(labelled.metadata?.generation, 2);
    const scaled = await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'shop', body: { spec: { replicas: 0 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(scaled.spec?.replicas, 0);
  });

  it('serves custom resources: merge and JSON patch, 415 for strategic merge, 422 on a failed test op', async () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web' },
      spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    };
    await custom.createNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'shop',
      plural: 'httproutes',
      body: route,
    });
    const id = {
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'shop',
      plural: 'httproutes',
      name: 'web',
    };
    const sm = await rejects(
      custom.patchNamespacedCustomObject(
        { ...id, body: { spec: {} } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
    );
    assert.equal(sm.code, 415);
    const ops = [
      { op: 'test', path: '/spec/rules/0/backendRefs/0/name', value: 'web' },
      { op: 'add', path: '/spec/rules/0/backendRefs/-', value: { name: 'web-canary', port: 80, weight: 10 } },
    ];
    const patched = (await custom.patchNamespacedCustomObject(
      { ...id, body: ops },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    )) as { spec: { rules: { backendRefs: unknown[] }[] } };
    assert.equal(patched.spec.rules[0].backendRefs.length, 2);
    const failed = await rejects(
      custom.patchNamespacedCustomObject(
        { ...id, body: [{ op: 'test', path: '/spec/rules/0/backendRefs/0/name', value: 'x' }] },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      ),
    );
    assert.equal(failed.code, 422);
    const unconditional = await rejects(custom.replaceNamespacedCustomObject({ ...id, body: route }));
    assert.equal(unconditional.code, 422);
    const vs = kube.get('networking.istio.io/v1beta1', 'VirtualService', 'shop', 'x');
    assert.equal(vs, undefined);
  });

  it('server-side apply: fieldManager required, conflicts unless forced', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } };
    const missing = await rejects(
      core.patchNamespacedConfigMap(
        { name: 'cfg', namespace: 'shop', body: cm },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      ),
    );
    assert.equal(missing.code, 400);
    const created = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace: 'shop', body: cm, fieldManager: 'one' },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    assert.equal(created.metadata?.managedFields?.[0].manager, 'one');
    const clash = await rejects(
      core.patchNamespacedConfigMap(
        { name: 'cfg', namespace: 'shop', body: { ...cm, data: { a: '2' } }, fieldManager: 'two' },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      ),
    );
    assert.match(clash.message, /Apply failed with 1 conflict: conflict with "one": \.data\.a/);
    const forced = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace: 'shop', body: { ...cm, data: { a: '2' } }, fieldManager: 'two', force: true },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    assert.equal(forced.data?.a, '2');
  });

  it('lists by label selector, rejects bad tokens and injects faults', async () => {
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') });
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: { ...deployment('web-canary'), metadata: { name: 'web-canary', labels: { app: 'web', track: 'canary' } } },
    });
    const canaries = await apps.listNamespacedDeployment({
      namespace: 'shop',
      labelSelector: 'app=web,track in (canary)',
    });
    assert.deepEqual(
      canaries.items.map((d) => d.metadata?.name),
      ['web-canary'],
    );
    const stable = await apps.listNamespacedDeployment({ namespace: 'shop', labelSelector: '!track' });
    assert.deepEqual(
      stable.items.map((d) => d.metadata?.name),
      ['web'],
    );

    kube.injectFault({ status: 429, count: 1, method: 'GET', retryAfterSeconds: 1 });
    assert.equal((await rejects(apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' }))).code, 429);
    const before = kube.get('apps/v1', 'Deployment', 'shop', 'web')!;
    kube.injectFault({ status: 409, path: '/deployments/web' });
    assert.equal(
      (
        await rejects(
          apps.patchNamespacedDeployment(
            { name: 'web', namespace: 'shop', body: { metadata: { labels: { x: 'y' } } } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          ),
        )
      ).code,
      409,
    );
    assert.notEqual(
      (kube.get('apps/v1', 'Deployment', 'shop', 'web')!.metadata as { resourceVersion: string }).resourceVersion,
      (before.metadata as { resourceVersion: string }).resourceVersion,
    );

    const kc = new k8s.KubeConfig();
    kc.loadFromString(kube.kubeconfig({ token: 'wrong' }));
    await assert.rejects(
      kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: 'shop' }),
      (e: { code: number }) => e.code === 401,
    );
    assert.deepEqual(
      kube.writes().map((w) => `${w.method} ${w.status}`),
      ['POST 201', 'POST 201', 'PATCH 409'],
    );
  });

  it('simulates a rollout that exceeds its progress deadline', async () => {
    kube.setRolloutBehavior({ outcome: 'progressDeadlineExceeded', delayMs: 10 }, 'shop', 'web');
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') });
    await new Promise((r) => setTimeout(r, 50));
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
    assert.equal(d.status?.readyReplicas, 0);
  });

  it('streams watch events for a collection (client-node Watch)', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    const events: string[] = [];
    const seen = new Promise<void>((resolve) => {
      void new k8s.Watch(kc)
        .watch(
          '/apis/apps/v1/namespaces/shop/deployments',
          { labelSelector: 'app=web' },
          (phase, obj) => {
            events.push(`${phase} ${obj.metadata.name} ${obj.status?.availableReplicas ?? '-'}`);
            if (phase === 'MODIFIED' && obj.status?.availableReplicas === 2) resolve();
          },
          () => undefined,
        )
        .then((ctl) => seen.finally(() => ctl.abort()));
    });
    await new Promise((r) => setTimeout(r, 30));
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web') });
    await seen;
    assert.equal(events[0], 'ADDED web -');
    assert.equal(events[events.length - 1], 'MODIFIED web 2');
  });

  it('serves a custom resource in the versions registered, and 404s the others like an older cluster', async () => {
    kube.register({
      group: 'networking.istio.io',
      versions: ['v1beta1'],
      kind: 'VirtualService',
      plural: 'virtualservices',
      namespaced: true,
      status: true,
    });
    const id = { group: 'networking.istio.io', namespace: 'shop', plural: 'virtualservices' };
    const missing = await rejects(custom.listNamespacedCustomObject({ ...id, version: 'v1' }));
    assert.deepEqual([missing.code, missing.message], [404, 'the server could not find the requested resource']);
    const list = (await custom.listNamespacedCustomObject({ ...id, version: 'v1beta1' })) as {
      kind: string;
      items: unknown[];
    };
    assert.deepEqual([list.kind, list.items.length], ['VirtualServiceList', 0]);
  });

  it('runs a scripted controller for a custom resource (status through /status only)', async () => {
    kube.addController(
      'database.oracle.com/v4',
      'AutonomousDatabase',
      (obj) => ({ lifecycleState: 'AVAILABLE', seen: (obj.spec as { displayName: string }).displayName }),
      { delayMs: 5 },
    );
    const id = { group: 'database.oracle.com', version: 'v4', namespace: 'shop', plural: 'autonomousdatabases' };
    const created = (await custom.createNamespacedCustomObject({
      ...id,
      body: {
        apiVersion: 'database.oracle.com/v4',
        kind: 'AutonomousDatabase',
        metadata: { name: 'adb' },
        spec: { displayName: 'orders' },
        status: { lifecycleState: 'FAKE' },
      },
    })) as { status?: unknown };
    assert.equal(created.status, undefined, 'status is not writable on create');
    await new Promise((r) => setTimeout(r, 30));
    const read = (await custom.getNamespacedCustomObject({ ...id, name: 'adb' })) as {
      status: unknown;
      metadata: { generation: number };
    };
    assert.deepEqual(read.status, { lifecycleState: 'AVAILABLE', seen: 'orders' });
    assert.equal(read.metadata.generation, 1);
  });
});
