import * as assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { runKql } from '../../devkit/emulators/log-analytics/kql';
import { MqlError, parseMql } from '../../devkit/emulators/oci-monitoring/mql';
import { CANARY_IMAGE, NS, STABLE_IMAGE, startKube } from '../../devkit/stand-ins/kube-fixture';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  ERRORS_MQL,
  MON_COMPARTMENT,
  MetricsWorld,
  SUCCESS_KQL,
  WORKSPACE_ID,
  runCanaryWithMetrics,
  startMetricsWorld,
} from '../../devkit/stand-ins/metrics-world';
import { tableValue } from '../../tasks/CanaryShift/analysis/log-analytics';
import { lookbackMs, streamValue } from '../../tasks/CanaryShift/analysis/oci-monitoring';

const metricsYaml = (kql = SUCCESS_KQL, mql = ERRORS_MQL): string =>
  [
    '- name: success-rate',
    '  provider: logAnalytics',
    `  workspaceId: ${WORKSPACE_ID}`,
    '  address: ADDRESS',
    `  query: '${kql}'`,
    '  successCondition: result >= 0.99',
    '- name: lb-5xx',
    '  provider: ociMonitoring',
    `  compartmentId: ${MON_COMPARTMENT}`,
    '  namespace: oci_lbaas',
    `  query: '${mql}'`,
    '  successCondition: result < 1',
    '',
  ].join('\n');

describe('CanaryShift metric readings (pure)', () => {
  it('a Log Analytics table: the result column, else the only number; rows, nulls and partial errors', () => {
    const t = (columns: [string, string][], rows: unknown[][], extra = {}) => ({
      tables: [{ name: 'PrimaryResult', columns: columns.map(([name, type]) => ({ name, type })), rows }],
      ...extra,
    });
    const cases: [unknown, string][] = [
      [t([['result', 'real']], [[0.995]]), 'ok 0.995'],
      [
        t(
          [
            ['ok', 'long'],
            ['ratio', 'real'],
            ['role', 'string'],
          ],
          [[5, 0.5, 'x']],
        ),
        'error 2 numeric',
      ],
      [
        t(
          [
            ['role', 'string'],
            ['avg_DurationMs', 'real'],
          ],
          [['web', 12.5]],
        ),
        'ok 12.5',
      ],
      [t([['result', 'decimal']], [['0.25']]), 'ok 0.25'],
      [t([['result', 'real']], [['NaN']]), 'noData'],
      [t([['result', 'real']], [[null]]), 'noData'],
      [t([['result', 'real']], []), 'noData'],
      [t([['result', 'real']], [[1], [2]]), 'error 2 rows'],
      [t([['result', 'real']], [[1]], { error: { code: 'PartialError', message: 'too much' } }), 'error partial'],
      [{}, 'error no result table'],
    ];
    for (const [body, want] of cases) {
      const r = tableValue(body);
      const got = r.ok ? `ok ${r.value}` : r.noData ? 'noData' : `error ${r.error}`;
      assert.ok(
        got.startsWith(want.split(' ')[0]) && got.includes(want.split(' ').slice(1).join(' ')),
        `${want} ← ${got}`,
      );
    }
  });

  it('an OCI metric stream: the latest data point of one stream; the lookback covers three intervals', () => {
    const p = (ts: string, value: number) => ({ timestamp: ts, value });
    assert.deepEqual(
      streamValue([{ aggregatedDatapoints: [p('2026-01-01T00:02:00Z', 3), p('2026-01-01T00:01:00Z', 9)] }]),
      {
        ok: true,
        value: 3,
      },
    );
    const none = streamValue([]);
    assert.ok(!none.ok && none.noData);
    assert.equal(streamValue([{ aggregatedDatapoints: [] }]).ok, false);
    const two = streamValue([{}, {}]);
    assert.ok(!two.ok && !two.noData && /2 metric streams.*grouping/.test(two.error));
    assert.equal(lookbackMs('CpuUtilization[1m].mean()'), 300_000);
    assert.equal(lookbackMs('CpuUtilization[5m].mean()'), 900_000);
    assert.equal(lookbackMs('CpuUtilization[1h].max()'), 3 * 3_600_000);
  });

  it('the emulators’ KQL and MQL subsets: typed results, and the errors the services give', () => {
    const now = Date.now();
    const tables = {
      AppRequests: {
        columns: [
          { name: 'TimeGenerated', type: 'datetime' as const },
          { name: 'AppRoleName', type: 'string' as const },
          { name: 'Success', type: 'bool' as const },
        ],
        rows: [
          { TimeGenerated: now - 1000, AppRoleName: 'web-canary', Success: true },
          { TimeGenerated: now - 2000, AppRoleName: 'web-canary', Success: false },
          { TimeGenerated: now - 3_600_000, AppRoleName: 'web-canary', Success: false },
        ],
      },
    };
    assert.deepEqual(runKql(SUCCESS_KQL, tables, now).rows, [{ result: 0.5 }]);
    // KQL divides longs as integers: the classic mistake a ratio query makes without todouble().
    assert.deepEqual(runKql(SUCCESS_KQL.replace('todouble(ok)', 'ok'), tables, now).rows, [{ result: 0 }]);
    assert.throws(() => runKql('AppRequests | summarize count(', tables), /could not be parsed at '<EOF>'/);
    assert.throws(
      () => runKql('AppRequests | where Foo == 1', tables),
      /resolve column or scalar expression named 'Foo'/,
    );
    assert.deepEqual(parseMql(ERRORS_MQL), {
      metric: 'HttpResponses5xx',
      intervalMs: 60_000,
      filters: [{ dim: 'backendSetName', op: '=', value: 'web-canary' }],
      grouping: { by: [] },
      statistic: 'sum',
      percentile: undefined,
    });
    for (const bad of [
      'HttpResponses5xx{x = "y"}.sum()',
      'Cpu[1m].avg()',
      'Cpu[90m].mean()',
      'Cpu[1m].mean() extra',
      'Cpu[1m]',
    ])
      assert.throws(() => parseMql(bad), MqlError, bad);
  });
});

describe('CanaryShift logAnalytics and ociMonitoring providers against their emulators', function () {
  this.timeout(60_000);
  let world: MetricsWorld;
  let kube: KubeApiServer;
  before(async () => {
    world = await startMetricsWorld();
  });
  after(() => world.close());
  beforeEach(async () => {
    kube = await startKube();
    world.la.queries.length = 0;
    world.mon.requests.length = 0;
  });
  afterEach(() => kube.close());

  const image = (name: string): string | undefined =>
    (kube.get('apps/v1', 'Deployment', NS, name)?.spec as { template: { spec: { containers: { image: string }[] } } })
      ?.template.spec.containers[0].image;
  const run = (extra: Record<string, string> = {}, metrics = metricsYaml()) =>
    runCanaryWithMetrics(kube, world, {
      action: 'run',
      image: CANARY_IMAGE,
      steps: '20, analysis, 100',
      azureSubscription: 'azure',
      ociConnection: 'oci',
      metrics: metrics.replace('ADDRESS', world.la.url),
      ...extra,
    });

  it('healthy telemetry in both: dry run, one measurement each, promoted; tokens for the Log Analytics audience', async () => {
    world.canaryMetrics({ successRatio: 0.995, errors5xx: 0 });
    const r = await run();
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    assert.deepEqual(r.host.outputs, { canaryWeight: '0', outcome: 'promoted' });
    assert.equal(image('web'), CANARY_IMAGE);
    assert.deepEqual(
      world.la.queries.map((q) => [q.status, q.appid]),
      [
        [200, CLIENT_ID],
        [200, CLIENT_ID],
      ],
    );
    assert.deepEqual(
      world.mon.requests.map((q) => [q.status, q.query]),
      [
        [200, ERRORS_MQL],
        [200, ERRORS_MQL],
      ],
    );
    assert.ok(world.entra.issued.some((i) => i.audience === 'https://api.loganalytics.io'));
    type Metric = { name: string; provider: string; value: number; passed: boolean };
    const steps = (r.record?.details as { steps: { kind: string; analysis?: { metrics: Metric[] } }[] }).steps;
    const metrics = steps.find((s) => s.kind === 'analysis')!.analysis!.metrics;
    assert.deepEqual(
      metrics.map((m) => [m.name, m.provider, m.passed]),
      [
        ['success-rate', 'logAnalytics', true],
        ['lb-5xx', 'ociMonitoring', true],
      ],
    );
    assert.equal(metrics[0].value, 0.995);
    assert.equal(metrics[1].value, 0);
    const output = r.host.lines.join('\n');
    assert.ok(!output.includes(CLIENT_SECRET), 'the client secret is never printed');
  });

  it('a failing Log Analytics metric aborts to 100% stable', async () => {
    world.canaryMetrics({ successRatio: 0.9, errors5xx: 0 });
    const r = await run();
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(
      r.host.result.message,
      /success-rate: 1 failed measurement.*0\.9 does not satisfy result >= 0\.99.*Aborted: traffic is 100% stable/,
    );
    assert.deepEqual(r.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(image('web'), STABLE_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
  });

  it('a failing OCI Monitoring metric aborts to 100% stable, after riding out a 429 storm', async () => {
    world.canaryMetrics({ successRatio: 1, errors5xx: 30 });
    world.mon.storm(2, 0);
    const r = await run();
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(
      r.host.result.message,
      /lb-5xx: 1 failed measurement.* does not satisfy result < 1.*Aborted: traffic is 100% stable/,
    );
    assert.deepEqual(
      world.mon.requests.slice(0, 3).map((q) => q.status),
      [429, 429, 200],
    );
    assert.equal(image('web'), STABLE_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
  });

  it('a KQL and an MQL syntax error fail before any traffic moves, with the services’ messages', async () => {
    world.canaryMetrics({ successRatio: 1, errors5xx: 0 });
    const r = await run({}, metricsYaml(SUCCESS_KQL.replace('count()', 'count('), ERRORS_MQL.replace('[1m]', '[1x]')));
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(
      r.host.result.message,
      /and 2 failed: metric success-rate \(logAnalytics\): Log Analytics answered HTTP 400: BadArgumentError: .*SyntaxError: .*SYN0002: Query could not be parsed at .*; metric lb-5xx \(ociMonitoring\): OCI Monitoring answered 400 InvalidParameter: Invalid query: expected an interval.*Nothing was changed/,
    );
    assert.deepEqual(r.host.outputs, { canaryWeight: '0', outcome: 'none' });
    assert.deepEqual(kube.writes(), []);
  });

  it('an unknown workspace fails the dry run; a token for another audience is refused by the emulator', async () => {
    const r = await run({}, metricsYaml().replace(WORKSPACE_ID, '00000000-0000-4000-8000-000000000000'));
    assert.match(r.host.result?.message ?? '', /404: WorkspaceNotFoundError: Workspace 00000000-.* could not be found/);
    assert.deepEqual(kube.writes(), []);
    const credential = new ClientSecretCredential(world.entra.tenantId, CLIENT_ID, CLIENT_SECRET, {
      authorityHost: world.entra.authorityHost,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken('https://vault.azure.net/.default');
    const res = await fetch(`${world.la.url}/v1/workspaces/${WORKSPACE_ID}/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'AppRequests | take 1' }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'InvalidTokenError');
  });

  it('inputs: each provider needs its connection, named before anything is contacted', async () => {
    const r = await run({ azureSubscription: '', ociConnection: '' });
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(
      r.host.result.message,
      /input 'azureSubscription': is required by metric success-rate \(logAnalytics\)/,
    );
    assert.match(r.host.result.message, /input 'ociConnection': is required by metric lb-5xx \(ociMonitoring\)/);
    assert.deepEqual(kube.requests, []);
    assert.deepEqual(world.la.queries, []);
    const http = await run({}, metricsYaml().replace('ADDRESS', 'http://la.example'));
    assert.match(http.host.result?.message ?? '', /metric 1 \(success-rate\): address uses http: \(https only\)/);
  });
});
