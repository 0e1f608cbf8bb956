import * as assert from 'node:assert/strict';
import { analyse, shownValue } from '../../tasks/CanaryShift/analysis/analysis';
import { singleValue } from '../../tasks/CanaryShift/analysis/prometheus';
import { abortReserveMs, minimumStepsMs } from '../../tasks/CanaryShift/plan/budget';
import { rolloutState } from '../../tasks/CanaryShift/kube/availability';
import { KubeObject } from '../../tasks/common/kube/types';
import { canaryLabels, chooseContainer, promotePatch, suffixed } from '../../tasks/CanaryShift/plan/canary-spec';
import { httpRouteRules, httpRouteWeight } from '../../tasks/CanaryShift/routers/gateway-api';
import { hostIs, virtualServiceHttp } from '../../tasks/CanaryShift/routers/istio';
import { podCanaryReplicas, podWeight } from '../../tasks/CanaryShift/routers/pod';
import { routeVerdict } from '../../tasks/CanaryShift/routers/route-status';

describe('CanaryShift pure plan', () => {
  it('pod router replica math: canary pods for a weight next to a fixed stable count', () => {
    const table: [number, number, number, number][] = [
      // stable, weight, canary replicas, effective weight
      [3, 0, 0, 0],
      [3, 10, 1, 25],
      [3, 25, 1, 25],
      [3, 50, 3, 50],
      [3, 75, 9, 75],
      [10, 10, 1, 9],
      [10, 20, 3, 23],
      [10, 90, 90, 90],
      [0, 30, 1, 100],
      [1, 1, 1, 50],
    ];
    for (const [s, w, c, eff] of table) {
      assert.equal(podCanaryReplicas(s, w), c, `stable ${s}, weight ${w}`);
      assert.equal(podWeight(s, c), eff, `stable ${s}, canary ${c}`);
    }
    assert.throws(() => podCanaryReplicas(3, 100), /only by promotion/);
  });

  it('HTTPRoute weights: stable 100-w, canary w, only in rules that reference the stable Service', () => {
    const names = { stable: 'web', canary: 'web-canary', namespace: 'shop' };
    const rules = [
      { backendRefs: [{ name: 'web', port: 80 }] },
      { backendRefs: [{ name: 'api', port: 80 }] },
      { backendRefs: [{ name: 'web', namespace: 'other', port: 80 }] },
    ];
    const cases: [number | undefined, unknown][] = [
      [
        0,
        [
          { name: 'web', port: 80, weight: 100 },
          { name: 'web-canary', port: 80, weight: 0 },
        ],
      ],
      [
        10,
        [
          { name: 'web', port: 80, weight: 90 },
          { name: 'web-canary', port: 80, weight: 10 },
        ],
      ],
      [
        100,
        [
          { name: 'web', port: 80, weight: 0 },
          { name: 'web-canary', port: 80, weight: 100 },
        ],
      ],
      [undefined, [{ name: 'web', port: 80 }]],
    ];
    for (const [w, refs] of cases) {
      const out = httpRouteRules(rules, names, w);
      assert.ok(!('error' in out));
      assert.deepEqual(out.rules[0].backendRefs, refs, `weight ${w}`);
      assert.deepEqual(out.rules.slice(1), rules.slice(1));
      assert.equal(out.matched, 1);
      if (w !== undefined) assert.equal(httpRouteWeight(out.rules, names), w);
    }
    const shifted = httpRouteRules(rules, names, 30) as { rules: typeof rules };
    assert.deepEqual(
      (httpRouteRules(shifted.rules, names, undefined) as { rules: unknown }).rules,
      rules,
      'reset restores the original rules',
    );
    assert.match(
      (
        httpRouteRules(
          [
            {
              backendRefs: [
                { name: 'web', port: 80 },
                { name: 'legacy', port: 80 },
              ],
            },
          ],
          names,
          5,
        ) as { error: string }
      ).error,
      /also sends traffic to legacy/,
    );
  });

  it('VirtualService: host forms and weights', () => {
    const table: [string, boolean][] = [
      ['web', true],
      ['web.shop', true],
      ['web.shop.svc', true],
      ['web.shop.svc.cluster.local', true],
      ['web.other', false],
      ['web-canary', false],
      ['webapp.shop', false],
    ];
    for (const [host, expected] of table) assert.equal(hostIs(host, 'web', 'shop'), expected, host);
    const http = [
      {
        route: [
          {
            destination: { host: 'web', subset: 'v1', port: { number: 80 } },
            headers: { response: { set: { x: '1' } } },
          },
        ],
      },
    ];
    const out = virtualServiceHttp(http, { stable: 'web', canary: 'web-canary', namespace: 'shop' }, 20) as {
      http: unknown;
    };
    assert.deepEqual(out.http, [
      {
        route: [
          {
            destination: { host: 'web', subset: 'v1', port: { number: 80 } },
            headers: { response: { set: { x: '1' } } },
            weight: 80,
          },
          {
            destination: { host: 'web-canary', port: { number: 80 } },
            headers: { response: { set: { x: '1' } } },
            weight: 20,
          },
        ],
      },
    ]);
  });

  it('canary labels: selected keys get a -canary suffix that stays a valid label value', () => {
    assert.deepEqual(canaryLabels({ app: 'web', tier: 'front' }, ['app']), {
      app: 'web-canary',
      tier: 'front',
      'multicloud-devsecops.io/role': 'canary',
    });
    assert.deepEqual(canaryLabels({ app: 'web' }, []), { app: 'web', 'multicloud-devsecops.io/role': 'canary' });
    const long = suffixed('a'.repeat(63));
    assert.ok(long.length <= 63 && long.endsWith('-canary'));
    assert.equal(suffixed(''), 'canary');
  });

  it('chooses the container whose image the canary replaces', () => {
    const image = { registry: 'r.io', repository: 'shop/web', tag: '2' };
    const table: [{ name: string; image: string }[], number | RegExp][] = [
      [[{ name: 'a', image: 'anything:1' }], 0],
      [
        [
          { name: 'proxy', image: 'envoy:1' },
          { name: 'web', image: 'r.io/shop/web:1' },
        ],
        1,
      ],
      [
        [
          { name: 'web', image: 'r.io/shop/web@sha256:' + 'c'.repeat(64) },
          { name: 'x', image: 'y' },
        ],
        0,
      ],
      [
        [
          { name: 'a', image: 'r.io/shop/web:1' },
          { name: 'b', image: 'r.io/shop/web:1' },
        ],
        /2 containers run r.io\/shop\/web/,
      ],
      [
        [
          { name: 'a', image: 'x:1' },
          { name: 'b', image: 'y:1' },
        ],
        /no container runs r.io\/shop\/web/,
      ],
    ];
    // As Kubernetes users write them: Docker Hub names without registry, library/ implied.
    const nginx = { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' };
    const hub: [{ name: string; image: string }[], number][] = [
      [
        [
          { name: 'sidecar', image: 'busybox:1.36' },
          { name: 'web', image: 'nginx:1.26' },
        ],
        1,
      ],
      [
        [
          { name: 'web', image: 'docker.io/library/nginx@sha256:' + 'c'.repeat(64) },
          { name: 'b', image: 'bitnami/nginx:1.26' },
        ],
        0,
      ],
      [
        [
          { name: 'a', image: 'redis' },
          { name: 'web', image: 'index.docker.io/library/nginx' },
        ],
        1,
      ],
    ];
    for (const [containers, want] of hub)
      assert.deepEqual(chooseContainer(containers, nginx), { ok: true, index: want });
    for (const [containers, want] of table) {
      const got = chooseContainer(containers, image);
      if (typeof want === 'number') assert.deepEqual(got, { ok: true, index: want });
      else assert.match((got as { error: string }).error, want);
    }
  });

  it('promotion replaces only the pod spec and is a no-op once done', () => {
    const stable: KubeObject = {
      metadata: { name: 'web', annotations: { keep: 'me' } },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'a' }] } } },
    };
    const canary: KubeObject = {
      metadata: { name: 'web-canary', annotations: { 'multicloud-devsecops.io/canary-image': 'b' } },
      spec: {
        template: { metadata: { labels: { app: 'web-canary' } }, spec: { containers: [{ name: 'web', image: 'b' }] } },
      },
    };
    assert.deepEqual(promotePatch(stable, canary, { 'multicloud-devsecops.io/build-id': '7' }), [
      { op: 'replace', path: '/spec/template/spec', value: { containers: [{ name: 'web', image: 'b' }] } },
      { op: 'add', path: '/metadata/annotations/multicloud-devsecops.io~1build-id', value: '7' },
      { op: 'add', path: '/metadata/annotations/multicloud-devsecops.io~1promoted-image', value: 'b' },
    ]);
    assert.equal(promotePatch({ ...stable, spec: canary.spec }, canary, {}), undefined);
  });

  it('rollout state follows kubectl rollout status', () => {
    const d = (generation: number, status: Record<string, unknown>, replicas = 2): KubeObject => ({
      metadata: { name: 'web', generation },
      spec: { replicas },
      status,
    });
    const progressing = (reason: string): unknown[] => [
      { type: 'Progressing', status: reason === 'ProgressDeadlineExceeded' ? 'False' : 'True', reason },
    ];
    const table: [KubeObject, string][] = [
      [d(2, { observedGeneration: 1 }), 'waiting:spec update'],
      [d(1, { observedGeneration: 1, updatedReplicas: 1, replicas: 2, availableReplicas: 1 }), 'waiting:1 of 2 new'],
      [d(1, { observedGeneration: 1, updatedReplicas: 2, replicas: 3, availableReplicas: 2 }), 'waiting:1 old'],
      [
        d(1, { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
        'waiting:1 of 2 updated',
      ],
      [
        d(1, {
          observedGeneration: 1,
          updatedReplicas: 2,
          replicas: 2,
          availableReplicas: 2,
          conditions: progressing('NewReplicaSetAvailable'),
        }),
        'done',
      ],
      [
        d(1, { observedGeneration: 1, conditions: progressing('ProgressDeadlineExceeded') }),
        'failed:exceeded its progress deadline',
      ],
      [d(3, { observedGeneration: 3 }, 0), 'done'],
    ];
    for (const [dep, want] of table) {
      const s = rolloutState(dep);
      const [kind, text] = want.split(':');
      assert.equal(s.kind, kind, want);
      if (text) assert.ok('message' in s && s.message.includes(text), `${want}: ${JSON.stringify(s)}`);
    }
  });

  it('reads one value from a Prometheus instant query', () => {
    const ok = (resultType: string, result: unknown): unknown => ({ status: 'success', data: { resultType, result } });
    const table: [unknown, number | RegExp][] = [
      [ok('vector', [{ metric: {}, value: [1, '0.995'] }]), 0.995],
      [ok('scalar', [1, '42']), 42],
      [ok('vector', []), /no data/],
      [ok('vector', [{ value: [1, '1'] }, { value: [1, '1'] }]), /2 series/],
      [ok('vector', [{ value: [1, 'NaN'] }]), /NaN/],
      [ok('matrix', []), /matrix result/],
      [{ status: 'error', errorType: 'bad_data', error: 'parse error' }, /bad_data: parse error/],
    ];
    for (const [body, want] of table) {
      const r = singleValue(body);
      if (typeof want === 'number') assert.deepEqual(r, { ok: true, value: want });
      else assert.match((r as { error: string }).error, want);
    }
  });

  it('analysis stops as soon as failures exceed the limit', async () => {
    const run = async (values: (number | undefined)[], failureLimit: number): Promise<[boolean, number]> => {
      let i = 0;
      const r = await analyse(
        { measurements: values.length, intervalMs: 1, failureLimit, condition: { op: '>=', threshold: 0.99 } },
        {
          metric: async () => {
            const v = values[i++];
            return v === undefined ? { ok: false, error: 'no data' } : { ok: true, value: v };
          },
          sleep: async () => undefined,
          now: () => new Date(0),
          log: () => undefined,
        },
      );
      return [r.passed, r.measurements.length];
    };
    assert.deepEqual(await run([1, 1, 1], 0), [true, 3]);
    assert.deepEqual(await run([1, 0.5, 1], 0), [false, 2]);
    assert.deepEqual(await run([0.5, 1, 1], 1), [true, 3]);
    assert.deepEqual(await run([undefined, 0.5, 1], 1), [false, 2]);
  });

  it('keeps time back for an abort', () => {
    assert.deepEqual([10_000, 60_000, 600_000, 3_600_000].map(abortReserveMs), [2_000, 6_000, 30_000, 30_000]);
    const steps = [
      { kind: 'weight', weight: 10 },
      { kind: 'pause', ms: 60_000 },
      { kind: 'analysis' },
      { kind: 'analysis' },
    ] as const;
    assert.equal(minimumStepsMs([...steps], { measurements: 3, intervalMs: 30_000 }), 60_000 + 2 * 60_000);
    assert.equal(minimumStepsMs([...steps], { measurements: 1, intervalMs: 30_000 }), 60_000);
  });

  it("judges an HTTPRoute by its parents' conditions for the current generation", () => {
    const cond = (type: string, status: string, observedGeneration: number, reason = type): unknown => ({
      type,
      status,
      reason,
      message: 'm',
      observedGeneration,
    });
    const route = (generation: number, parents?: unknown[]): KubeObject => ({
      metadata: { name: 'web', generation },
      status: parents ? { parents } : undefined,
    });
    const table: [KubeObject, string][] = [
      [route(3), 'unmanaged'],
      [
        route(3, [
          { parentRef: { name: 'gw' }, conditions: [cond('Accepted', 'True', 2), cond('ResolvedRefs', 'True', 2)] },
        ]),
        'pending',
      ],
      [
        route(3, [
          { parentRef: { name: 'gw' }, conditions: [cond('Accepted', 'True', 3), cond('ResolvedRefs', 'True', 3)] },
        ]),
        'ok',
      ],
      [
        route(3, [
          {
            parentRef: { name: 'gw' },
            conditions: [cond('Accepted', 'True', 3), cond('ResolvedRefs', 'False', 3, 'BackendNotFound')],
          },
        ]),
        'rejected:Gateway gw reports ResolvedRefs=False (BackendNotFound): m',
      ],
      [
        route(3, [
          { parentRef: { name: 'a' }, conditions: [cond('Accepted', 'True', 3)] },
          { parentRef: { name: 'b' }, conditions: [cond('Accepted', 'False', 3, 'NotAllowedByListeners')] },
        ]),
        'rejected:Gateway b reports Accepted=False (NotAllowedByListeners): m',
      ],
    ];
    for (const [r, want] of table) {
      const v = routeVerdict(r);
      assert.equal(v.kind === 'rejected' ? `rejected:${v.message}` : v.kind, want);
    }
  });

  describe('readings shown in logs and reasons', () => {
    const rows: [number, string][] = [
      [0.7000000000000001, '0.7'],
      [0.99, '0.99'],
      [1, '1'],
      [0, '0'],
      [123456789, '123457000'],
      [0.000123456789, '0.000123457'],
      [-2.5, '-2.5'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ];
    for (const [value, shown] of rows) it(`${value} → ${shown}`, () => assert.strictEqual(shownValue(value), shown));
  });
});
