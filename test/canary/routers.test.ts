import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { CANARY_IMAGE, NS, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';

const RUN = {
  'multicloud-devsecops.io/build-id': '4711',
  'multicloud-devsecops.io/build-number': '20261123.1',
  'multicloud-devsecops.io/pipeline': 'shop-cd',
  'multicloud-devsecops.io/project': 'shop',
  'multicloud-devsecops.io/stage': 'staging',
};

/** Each router against the emulator: deploy, shift to 25%, and the exact objects a cluster then holds. */
describe('CanaryShift traffic routers: object shapes', () => {
  let kube: KubeApiServer;
  beforeEach(async () => (kube = await startKube()));
  afterEach(() => kube.close());

  async function deployAndShift(router: string, weight = '25'): Promise<void> {
    const deployed = await runCanary(kube, {
      action: 'deploy',
      image: CANARY_IMAGE,
      trafficRouter: router,
      canaryReplicas: '2',
    });
    assert.equal(deployed.host.result?.result, 'Succeeded', deployed.host.result?.message);
    const shifted = await runCanary(kube, { action: 'shift', weight, trafficRouter: router });
    assert.equal(shifted.host.result?.result, 'Succeeded', shifted.host.result?.message);
  }
  const canary = (): JsonObject => kube.get('apps/v1', 'Deployment', NS, 'web-canary')!;

  it('gatewayApi: weighted backendRefs to the stable and the canary Service; canary pods isolated from the stable Service', async () => {
    await deployAndShift('gatewayApi');
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    assert.deepEqual((route.spec as JsonObject).rules, [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          { name: 'web', port: 80, weight: 75 },
          { name: 'web-canary', port: 80, weight: 25 },
        ],
      },
    ]);
    assert.equal(
      ((route.metadata as JsonObject).annotations as JsonObject)['multicloud-devsecops.io/canary-weight'],
      '25',
    );
    const svc = kube.get('v1', 'Service', NS, 'web-canary')!;
    assert.deepEqual((svc.spec as JsonObject).selector, {
      app: 'web-canary',
      'multicloud-devsecops.io/role': 'canary',
    });
    assert.deepEqual(
      ((svc.spec as JsonObject).ports as JsonObject[]).map((p) => [p.name, p.port, p.targetPort]),
      [['http', 80, 8080]],
    );
    const spec = canary().spec as {
      replicas: number;
      selector: unknown;
      template: { metadata: { labels: unknown }; spec: { containers: { name: string; image: string }[] } };
    };
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.selector, { matchLabels: { app: 'web-canary', 'multicloud-devsecops.io/role': 'canary' } });
    assert.deepEqual(spec.template.metadata.labels, {
      app: 'web-canary',
      tier: 'front',
      'multicloud-devsecops.io/role': 'canary',
    });
    assert.deepEqual(
      spec.template.spec.containers.map((c) => `${c.name}=${c.image}`),
      [`web=${CANARY_IMAGE}`, 'proxy=docker.io/envoyproxy/envoy:v1.31'],
    );
    const annotations = (canary().metadata as JsonObject).annotations as Record<string, string>;
    assert.deepEqual(Object.fromEntries(Object.entries(annotations).filter(([k]) => k in RUN)), RUN);
    assert.equal(annotations['multicloud-devsecops.io/canary-image'], CANARY_IMAGE);
  });

  it('istio: VirtualService route weights, canary host in the same form as the stable one', async () => {
    await deployAndShift('istio');
    const vs = kube.get('networking.istio.io/v1', 'VirtualService', NS, 'web')!;
    assert.deepEqual((vs.spec as JsonObject).http, [
      {
        match: [{ uri: { prefix: '/' } }],
        route: [
          { destination: { host: 'web.shop.svc.cluster.local', port: { number: 80 } }, weight: 75 },
          { destination: { host: 'web-canary.shop.svc.cluster.local', port: { number: 80 } }, weight: 25 },
        ],
      },
    ]);
    const writes = kube.writes().filter((w) => w.path.includes('/virtualservices/'));
    assert.deepEqual(
      writes.map((w) => `${w.method} ${w.contentType}`),
      ['PATCH application/merge-patch+json'],
    );
  });

  it('nginx: a canary Ingress made from the stable one, with the canary annotations; the stable Ingress is not touched', async () => {
    const stableBefore = kube.get('networking.k8s.io/v1', 'Ingress', NS, 'web');
    await deployAndShift('nginx');
    const ing = kube.get('networking.k8s.io/v1', 'Ingress', NS, 'web-canary')!;
    const meta = ing.metadata as { annotations: Record<string, string>; labels: Record<string, string> };
    assert.deepEqual(Object.fromEntries(Object.entries(meta.annotations).filter(([k]) => !(k in RUN))), {
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      'multicloud-devsecops.io/stable': 'web',
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '25',
    });
    assert.deepEqual(ing.spec, {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web-canary', port: { number: 80 } } } },
            ],
          },
        },
      ],
    });
    assert.deepEqual(kube.get('networking.k8s.io/v1', 'Ingress', NS, 'web'), stableBefore);

    const aborted = await runCanary(kube, { action: 'abort', trafficRouter: 'nginx' });
    assert.equal(aborted.host.result?.result, 'Succeeded');
    assert.equal(kube.get('networking.k8s.io/v1', 'Ingress', NS, 'web-canary'), undefined);
  });

  it('pod: canary replicas for the ratio against the untouched stable replicas', async () => {
    const deployed = await runCanary(kube, {
      action: 'deploy',
      image: CANARY_IMAGE,
      trafficRouter: 'pod',
      canaryReplicas: '1',
    });
    assert.equal(deployed.host.outputs.canaryWeight, '25'); // 1 canary pod next to 3 stable pods
    const shifted = await runCanary(kube, { action: 'shift', weight: '50', trafficRouter: 'pod' });
    assert.equal(shifted.host.outputs.canaryWeight, '50');
    const spec = canary().spec as { replicas: number; selector: unknown; template: { metadata: { labels: unknown } } };
    assert.equal(spec.replicas, 3);
    // Pods keep the labels the stable Service selects, so they receive traffic; the selector adds the role.
    assert.deepEqual(spec.template.metadata.labels, {
      app: 'web',
      tier: 'front',
      'multicloud-devsecops.io/role': 'canary',
    });
    assert.deepEqual(spec.selector, { matchLabels: { app: 'web', 'multicloud-devsecops.io/role': 'canary' } });
    assert.equal(kube.get('v1', 'Service', NS, 'web-canary'), undefined);
    assert.equal((kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as JsonObject).replicas, 3);
    const rejected = await runCanary(kube, { action: 'shift', weight: '100', trafficRouter: 'pod' });
    assert.match(rejected.host.result!.message, /input 'weight': cannot be 100 with the pod router/);
  });

  it('fails before any change when the route does not reference the stable Service', async () => {
    kube.seed({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'other', namespace: NS },
      spec: { rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] },
    });
    const run = await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE, route: 'other' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /HTTPRoute other has no backendRef to Service web\./);
    assert.deepEqual(kube.writes(), []);
  });

  it('istio: falls back to networking.istio.io/v1beta1 on clusters without v1', async () => {
    kube.register({
      group: 'networking.istio.io',
      versions: ['v1beta1', 'v1alpha3'],
      kind: 'VirtualService',
      plural: 'virtualservices',
      namespaced: true,
      status: true,
    });
    await deployAndShift('istio', '10').catch((e) =>
      assert.fail(`${e.message}\n${kube.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join('\n')}`),
    );
    const vs = kube.get('networking.istio.io/v1beta1', 'VirtualService', NS, 'web')!;
    assert.deepEqual(
      ((vs.spec as JsonObject).http as { route: { weight: number }[] }[])[0].route.map((r) => r.weight),
      [90, 10],
    );
    assert.ok(
      kube
        .writes()
        .filter((w) => w.path.includes('virtualservices'))
        .every((w) => w.path.startsWith('/apis/networking.istio.io/v1beta1/')),
    );
  });

  for (const router of ['gatewayApi', 'istio', 'nginx', 'pod']) {
    it(`${router}: a full run promotes and leaves every route object as it found it`, async () => {
      const routes = (): unknown[] => [
        kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')?.spec,
        kube.get('networking.istio.io/v1', 'VirtualService', NS, 'web')?.spec,
        kube.list('networking.k8s.io/v1', 'Ingress', NS).map((i) => [(i.metadata as JsonObject).name, i.spec]),
        kube.list('v1', 'Service', NS).map((i) => (i.metadata as JsonObject).name),
      ];
      const before = routes();
      const run = await runCanary(kube, {
        action: 'run',
        image: CANARY_IMAGE,
        steps: '30, 60, 100',
        trafficRouter: router,
      });
      assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
      const weights = (run.record?.details as { steps: { kind: string; weight: number }[] }).steps
        .filter((s) => s.kind === 'weight')
        .map((s) => s.weight);
      assert.deepEqual(weights, router === 'pod' ? [25, 63, 63] : [30, 60, 100]);
      assert.deepEqual(routes(), before);
      assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
      const stable = kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as {
        replicas: number;
        template: { spec: { containers: { image: string }[] } };
      };
      assert.deepEqual([stable.replicas, stable.template.spec.containers[0].image], [3, CANARY_IMAGE]);
    });
  }

  /** A Gateway controller's status: ResolvedRefs per the backendRefs' Services (and a denied one). */
  function gatewayController(deny?: string, delayMs = 20): void {
    kube.addController(
      'gateway.networking.k8s.io/v1',
      'HTTPRoute',
      (route) => {
        const refs = (route.spec as { rules: { backendRefs?: { name: string }[] }[] }).rules.flatMap(
          (r) => r.backendRefs ?? [],
        );
        const missing = refs.find((r) => !kube.get('v1', 'Service', NS, r.name));
        const denied = refs.find((r) => r.name === deny);
        const generation = (route.metadata as { generation: number }).generation;
        const resolved = denied
          ? { status: 'False', reason: 'RefNotPermitted', message: `backendRef ${deny} is not permitted` }
          : missing
            ? { status: 'False', reason: 'BackendNotFound', message: `Service ${missing.name} not found` }
            : { status: 'True', reason: 'ResolvedRefs', message: '' };
        return {
          parents: [
            {
              parentRef: { name: 'public' },
              controllerName: 'example.com/gateway',
              conditions: [
                { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: generation },
                { type: 'ResolvedRefs', ...resolved, observedGeneration: generation },
              ],
            },
          ],
        };
      },
      { delayMs },
    );
  }

  it('gatewayApi: waits for the Gateway to accept each weight change', async () => {
    // A Gateway slower than the task's first read after its patch, so the reads show the task waiting: at 20 ms a
    // loaded machine could let the Gateway answer before the first read, and the test would prove nothing.
    gatewayController(undefined, 400);
    // The route is already managed: its Gateway reported on generation 1.
    kube.setStatus('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web', {
      parents: [
        {
          parentRef: { name: 'public' },
          conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 }],
        },
      ],
    });
    await deployAndShift('gatewayApi', '15');
    const patch = kube.requests.findIndex((r) => r.method === 'PATCH' && r.path.endsWith('/httproutes/web'));
    const polls = kube.requests
      .slice(patch)
      .filter((r) => r.method === 'GET' && r.path.endsWith('/httproutes/web')).length;
    assert.ok(polls >= 2, `read the route until its Gateway reported on the new generation (${polls} reads)`);
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    const conditions = (
      route.status as { parents: { conditions: { type: string; status: string; observedGeneration: number }[] }[] }
    ).parents[0].conditions;
    assert.ok(
      conditions.every(
        (c) => c.status === 'True' && c.observedGeneration === (route.metadata as { generation: number }).generation,
      ),
    );
  });

  it('gatewayApi: a Gateway that rejects the canary backend fails the step and the run aborts', async () => {
    gatewayController('web-canary');
    kube.setStatus('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web', {
      parents: [
        {
          parentRef: { name: 'public' },
          conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 }],
        },
      ],
    });
    const run = await runCanary(kube, { action: 'run', image: CANARY_IMAGE, steps: '10, 100' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /HTTPRoute web: Gateway public reports ResolvedRefs=False \(RefNotPermitted\): backendRef web-canary is not permitted\..*Aborted: traffic is 100% stable/s,
    );
    const rules = (
      kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!.spec as { rules: { backendRefs: unknown[] }[] }
    ).rules;
    assert.deepEqual(rules[0].backendRefs, [{ name: 'web', port: 80 }]);
  });
});
