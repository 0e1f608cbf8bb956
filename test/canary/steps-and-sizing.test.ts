import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RecordingHost } from '../../devkit/agent/recording-host';
import { ROOT } from '../../devkit/project';
import { Endpoint } from '../../devkit/agent/agent-run';
import { InputReader } from '../../tasks/common/inputs';
import { TaskManifest } from '../../tasks/common/manifest';
import { SecretRegistry } from '../../tasks/common/secrets';
import { readCanaryShiftOptions } from '../../tasks/CanaryShift/options';
import { parseMetrics } from '../../tasks/CanaryShift/analysis/metrics';
import { minimumStepsMs, requiredTimeoutSeconds, stepTimeoutMinutes } from '../../tasks/CanaryShift/plan/budget';
import { normaliseImageName, parseKubeImage } from '../../tasks/CanaryShift/plan/kube-image';
import { canaryHpaBounds, canaryReplicasFor, stableReplicaCount } from '../../tasks/CanaryShift/plan/replicas';
import { chooseContainer } from '../../tasks/CanaryShift/plan/canary-spec';
import { Step, parseSteps } from '../../tasks/CanaryShift/steps';
import { untrustedText } from '../../tasks/CanaryShift/analysis/untrusted';

describe('CanaryShift canary sizing (pure)', () => {
  it('canary replicas follow the weight: ceil(stable × weight / 100), at least 1, capped', () => {
    const table: [number, number, number | undefined, number][] = [
      // stable, weight, maxCanaryReplicas, canary replicas
      [4, 50, undefined, 2],
      [4, 100, undefined, 4],
      [4, 0, undefined, 1],
      [4, 1, undefined, 1],
      [4, 26, undefined, 2],
      [10, 10, undefined, 1],
      [10, 25, undefined, 3],
      [10, 100, 3, 3],
      [10, 50, 0, 5],
      [1, 100, undefined, 1],
      [3, 34, undefined, 2],
      [7, 100, undefined, 7],
      [0, 50, undefined, 1],
      [20, 5, undefined, 1],
      [20, 60, 100, 12],
    ];
    for (const [stable, weight, max, want] of table)
      assert.equal(canaryReplicasFor(stable, weight, max), want, `stable ${stable}, ${weight}%, max ${max}`);
  });

  it('an HPA-driven stable counts by its live replicas; the canary HPA scales the bounds with the weight', () => {
    assert.equal(stableReplicaCount({ spec: { replicas: 2 }, status: { replicas: 6 } }, true), 6);
    assert.equal(stableReplicaCount({ spec: { replicas: 2 }, status: { replicas: 6 } }, false), 2);
    assert.deepEqual(canaryHpaBounds({ minReplicas: 2, maxReplicas: 10 }, 50), { minReplicas: 1, maxReplicas: 5 });
    assert.deepEqual(canaryHpaBounds({ minReplicas: 4, maxReplicas: 10 }, 100), { minReplicas: 4, maxReplicas: 10 });
    assert.deepEqual(canaryHpaBounds({ maxReplicas: 10 }, 100, 3), { minReplicas: 1, maxReplicas: 3 });
  });
});

describe('CanaryShift steps: compact and Argo Rollouts YAML, one parser', () => {
  const ok = (text: string): Step[] => {
    const r = parseSteps(text);
    assert.ok(r.ok, `${text}: ${(r as { error?: string }).error}`);
    return r.value;
  };
  const expected: Step[] = [
    { kind: 'weight', weight: 20 },
    { kind: 'pause', ms: 600_000 },
    { kind: 'analysis' },
    { kind: 'weight', weight: 50 },
    { kind: 'pause' },
  ];

  it('reads the same steps from both spellings', () => {
    assert.deepEqual(ok('20, pause 10m, analysis, 50, pause'), expected);
    // As copied from https://argo-rollouts.readthedocs.io/en/stable/features/canary/ (a Rollout's steps).
    assert.deepEqual(
      ok('- setWeight: 20\n- pause: {duration: 10m}\n- analysis: {}\n- setWeight: 50\n- pause: {}'),
      expected,
    );
    assert.deepEqual(
      ok(
        'steps:\n  - setWeight: 20\n  - pause:\n      duration: 600\n  - analysis:\n  - setWeight: 50\n  - pause: {}\n',
      ),
      expected,
    );
    assert.deepEqual(ok('- setWeight: 40\n- pause: {duration: 1h}'), [
      { kind: 'weight', weight: 40 },
      { kind: 'pause', ms: 3_600_000 },
    ]);
    assert.deepEqual(ok('- analysis:\n    templates:\n    - templateName: success-rate\n    - templateName: latency'), [
      { kind: 'analysis', metrics: ['success-rate', 'latency'] },
    ]);
    assert.deepEqual(ok('10, analysis error-rate + latency'), [
      { kind: 'weight', weight: 10 },
      { kind: 'analysis', metrics: ['error-rate', 'latency'] },
    ]);
  });

  const bad: [string, RegExp, RegExp][] = [
    ['- setWeight: 120', /step 1 \(setWeight\): weight 120 is not a whole number/, /setWeight: 20/],
    [
      '- setWeight: 20\n- pause: {duration: soon}',
      /step 2 \(pause\): 'soon' is not a duration/,
      /pause: \{duration: 10m\}/,
    ],
    [
      '- setCanaryScale: {replicas: 3}',
      /'setCanaryScale' is not supported: canary replicas follow the weight/,
      /setWeight/,
    ],
    ['- setHeaderRoute: {name: x}', /use the canaryHeader input/, /setWeight/],
    ['- setWeight: 20\n  pause: {}', /step 1 has 2 keys/, /setWeight/],
    ['- setWeight: [20', /is not valid YAML/, /setWeight/],
    ['- pause: {duration: 1m, untilApproved: true}', /unknown key 'untilApproved'/, /pause/],
    ['- analysis: {templates: [{name: x}]}', /every template needs a templateName/, /analysis/],
    ['10, pause soon', /step 2 \('pause soon'\): 'soon' is not a duration/, /10, pause 60s/],
    ['10, promote', /step 2 \('promote'\) is not a weight/, /10, pause 60s/],
  ];
  for (const [text, error, fix] of bad) {
    it(`refuses ${JSON.stringify(text)} with the step named and the fix`, () => {
      const r = parseSteps(text);
      assert.ok(!r.ok);
      assert.match(r.error, error);
      assert.match(r.fix ?? '', fix);
    });
  }

  it('derives the timeout from the steps; steps after a pause without duration are not counted', () => {
    const steps = ok('10, pause 10m, analysis, 50, pause 5m, analysis, 100');
    const ms = minimumStepsMs(steps, { measurements: 3, intervalMs: 30_000 });
    assert.equal(ms, 900_000 + 2 * 60_000);
    assert.equal(requiredTimeoutSeconds(ms), 1260); // 1020 s + 180 s allowance + 30 s reserve = 1230 s → 21 min
    assert.equal(stepTimeoutMinutes(1260), 22);
    assert.equal(minimumStepsMs(ok('10, pause 10m, 50, pause, 100'), { measurements: 1, intervalMs: 1000 }), 600_000);
    assert.equal(
      minimumStepsMs(ok('10, analysis a, analysis b'), (s) => (s.metrics?.[0] === 'a' ? 5000 : 7000)),
      12_000,
    );
    // The derived timeout always leaves the steps their time after the abort reserve.
    for (const need of [0, 1000, 59_000, 600_000, 3_600_000]) {
      const t = requiredTimeoutSeconds(need) * 1000;
      assert.ok(t - Math.min(30_000, Math.max(2000, t * 0.1)) >= need + 180_000, `need ${need}`);
    }
  });
});

describe('CanaryShift images as Kubernetes takes them', () => {
  it('normalises Docker Hub short names', () => {
    const table: [string, string][] = [
      ['nginx:1.27', 'docker.io/library/nginx:1.27'],
      ['bitnami/nginx:1.27', 'docker.io/bitnami/nginx:1.27'],
      ['docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
      ['localhost/app:1', 'localhost/app:1'],
      ['shop.azurecr.io/web:2', 'shop.azurecr.io/web:2'],
      ['registry:5000/web:2', 'registry:5000/web:2'],
    ];
    for (const [text, want] of table) assert.equal(normaliseImageName(text), want);
    const r = parseKubeImage('nginx:1.27');
    assert.ok(r.ok);
    assert.deepEqual(r.value, { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', digest: undefined });
  });

  it('finds the container running nginx:1.26 for a canary of nginx:1.27, or the one named', () => {
    const image = { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' };
    const containers = [
      { name: 'proxy', image: 'envoyproxy/envoy:v1.31' },
      { name: 'web', image: 'nginx:1.26' },
    ];
    assert.deepEqual(chooseContainer(containers, image), { ok: true, index: 1 });
    assert.deepEqual(
      chooseContainer([...containers, { name: 'b', image: 'docker.io/library/nginx:1.25' }], image, 'b'),
      { ok: true, index: 2 },
    );
    assert.match((chooseContainer(containers, image, 'nope') as { error: string }).error, /no container is named nope/);
    assert.match(
      (chooseContainer([...containers, { name: 'c', image: 'docker.io/library/nginx' }], image) as { error: string })
        .error,
      /2 containers run docker.io\/library\/nginx.*container input/,
    );
  });
});

describe('CanaryShift metrics list', () => {
  const d = {
    condition: { op: '>=' as const, threshold: 0.99 },
    failureLimit: 0,
    intervalMs: 30_000,
    measurements: 3,
    prometheusUrl: new URL('http://prom:9090'),
  };
  it('reads Argo-like metrics with defaults from the single-query inputs', () => {
    const r = parseMetrics(
      '- name: error-rate\n  query: sum(rate(x[1m]))\n  successCondition: result < 0.01\n  interval: 10s\n  count: 5\n  noData: inconclusive\n- name: latency\n  provider: prometheus\n  address: https://amw.prometheus.monitor.azure.com\n  query: histogram_quantile(0.99, sum(rate(h[1m])) by (le))\n',
      d,
    );
    assert.ok(r.ok, (r as { error?: string }).error);
    assert.deepEqual(
      r.value.map((m) => [m.name, m.provider, m.condition.op, m.intervalMs, m.measurements, m.noData, m.address?.host]),
      [
        ['error-rate', 'prometheus', '<', 10_000, 5, 'inconclusive', 'prom:9090'],
        ['latency', 'prometheus', '>=', 30_000, 3, 'fail', 'amw.prometheus.monitor.azure.com'],
      ],
    );
  });
  const bad: [string, RegExp][] = [
    ['name: x', /not a YAML list/],
    ['- query: up', /metric 1: name is required/],
    ['- name: a\n  query: up\n- name: a\n  query: up', /metric 2 \(a\): the name is used twice/],
    ['- name: a\n  provider: datadog\n  query: up', /provider 'datadog' is not one of/],
    ['- name: a', /query is required/],
    ['- name: a\n  query: up\n  successCondition: result ~ 1', /successCondition/],
    ['- name: a\n  query: up\n  interval: 100ms', /interval '100ms'/],
    ['- name: a\n  query: up\n  noData: ignore', /noData 'ignore'/],
    ['- name: a\n  query: up\n  thresold: 1', /unknown key 'thresold'/],
    ['- name: a\n  query: up\n  address: http://u:p@prom', /contains credentials/],
    ['- name: a\n  provider: logAnalytics\n  query: T', /workspaceId is required/],
    [
      '- name: a\n  provider: ociMonitoring\n  query: x[1m].mean()\n  compartmentId: ocid1.compartment.oc1..aaaa',
      /namespace is required/,
    ],
  ];
  for (const [text, error] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const r = parseMetrics(text, d);
      assert.ok(!r.ok);
      assert.match(r.error, error);
    });
  }
});

describe('CanaryShift untrusted service text', () => {
  it('never lets a metrics service write a logging command, and bounds the length', () => {
    const evil = 'parse error\n##vso[task.setvariable variable=x]1 and ##[error]boom \u0007';
    const out = untrustedText(evil);
    assert.ok(!/##(vso)?\[/i.test(out), out);
    assert.ok(![...out].some((c) => c === '\r' || c === '\n' || c === '\u0007'));
    // The host's one neutralising function (tasks/common/vso-command.ts) breaks the opener with a space.
    assert.match(out, /^parse error # #vso\[task\.setvariable/);
    assert.equal(untrustedText('x'.repeat(1000)).length, 301);
  });
});

describe('CanaryShift example pipeline inputs', () => {
  it('the Argo-steps + manual-gate example validates, derives its timeout and fits the job timeout', () => {
    const doc = parseYaml(
      fs.readFileSync(path.join(ROOT, 'examples', 'aks-canary-argo-steps-manual-gate.yml'), 'utf8'),
    ) as {
      variables: Record<string, string>;
      stages: { jobs: { timeoutInMinutes?: number; steps: { task: string; inputs: Record<string, string> }[] }[] }[];
    };
    const job = doc.stages[0].jobs[0];
    const step = job.steps[0];
    // Pipeline macros as the agent would expand them.
    const inputs = Object.fromEntries(
      Object.entries(step.inputs).map(([k, v]) => [
        k,
        String(v)
          .replace(/\$\((\w+)\)/g, (_, n: string) => doc.variables[n])
          .replace(/\$\{\{ parameters\.image \}\}/, 'nginx:1.27'),
      ]),
    );
    const endpoints: Record<string, Endpoint> = {
      'aks-prod': {
        url: 'https://aks.example',
        scheme: 'Kubernetes',
        auth: { kubeconfig: 'apiVersion: v1\nkind: Config\nclusters: []\n' },
        data: { authorizationType: 'Kubeconfig' },
      },
      'azure-prod': {
        url: 'https://management.azure.com/',
        scheme: 'ServicePrincipal',
        auth: {
          tenantid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
          serviceprincipalid: '11111111-2222-3333-4444-555555555555',
          authenticationType: 'spnKey',
          serviceprincipalkey: 'not-a-real-secret',
        },
        data: {},
      },
    };
    const host = new RecordingHost(inputs, {}, endpoints);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'tasks', 'CanaryShift', 'task.json'), 'utf8'),
    ) as TaskManifest;
    const reader = new InputReader({ get: (n) => host.input(n) }, manifest, new SecretRegistry(() => undefined));
    const o = readCanaryShiftOptions(reader, host);
    reader.check();
    assert.deepEqual(o.image, { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', digest: undefined });
    assert.deepEqual(
      o.analysis.metrics.map((m) => m.name),
      ['success-rate', 'latency-p95'],
    );
    assert.equal(o.steps.at(-1)?.kind, 'pause');
    assert.ok(o.timeoutDerived);
    // 15 min of pauses + 2 analyses × 2 intervals of 1 min + 180 s allowance + 30 s reserve → 23 min.
    assert.equal(o.rolloutTimeoutSeconds, 23 * 60);
    assert.ok(stepTimeoutMinutes(o.rolloutTimeoutSeconds) <= (job.timeoutInMinutes ?? 60));
  });
});
