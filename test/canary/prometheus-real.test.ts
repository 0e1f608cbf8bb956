import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { MetricsApp } from '../../devkit/prometheus/metrics-app';
import { PrometheusServer } from '../../devkit/prometheus/prometheus-server';
import { CANARY_IMAGE, NS, STABLE_IMAGE, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';

const SUCCESS =
  'sum(rate(http_requests_total{app="web-canary",code!~"5.."}[5s])) / sum(rate(http_requests_total{app="web-canary"}[5s]))';
const LATENCY = 'max(app_latency_p99_seconds{app="web-canary"})';
const METRICS = [
  '- name: success-rate',
  '  provider: prometheus',
  `  query: '${SUCCESS}'`,
  '  successCondition: result >= 0.99',
  '  interval: 1s',
  '  measurements: 2',
  '- name: latency-p99',
  `  query: '${LATENCY}'`,
  '  successCondition: result < 0.5',
  '  interval: 1s',
  '  measurements: 2',
  '- name: no-traffic-yet',
  '  query: sum(rate(never_scraped_total[5s]))',
  '  successCondition: result >= 0',
  '  noData: pass',
  '',
].join('\n');

/** The PromQL path against the real Prometheus server (Debian's package), scraping an app whose error ratio the test sets. */
describe('CanaryShift analysis with a real Prometheus server', function () {
  this.timeout(180_000);
  let app: MetricsApp;
  let prom: PrometheusServer;
  let kube: KubeApiServer;
  before(async () => {
    app = await MetricsApp.start();
    prom = await PrometheusServer.start({ targets: [app.url], scrapeInterval: '1s' });
    // rate() over 5 s needs at least two scrapes in the window.
    await prom.waitFor(SUCCESS, (v) => v === 1);
  });
  after(async () => {
    await prom.close();
    await app.close();
  });
  beforeEach(async () => {
    app.errorRatio = 0;
    kube = await startKube();
  });
  afterEach(() => kube.close());

  const image = (name: string): string | undefined => {
    const spec = kube.get('apps/v1', 'Deployment', NS, name)?.spec as
      { template: { spec: { containers: { image: string }[] } } } | undefined;
    return spec?.template.spec.containers[0].image;
  };
  const inputs = { action: 'run', image: CANARY_IMAGE, metrics: METRICS };

  it('three weight steps and two metrics: promoted; wall time over the sum of the pauses', async () => {
    const steps =
      '- setWeight: 20\n- pause: {duration: 2s}\n- analysis: {}\n- setWeight: 50\n- pause: {duration: 2s}\n- analysis: {}\n- setWeight: 100\n';
    const started = Date.now();
    const run = await runCanary(kube, { ...inputs, prometheusUrl: prom.url, steps });
    const wallMs = Date.now() - started;
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'promoted' });
    assert.equal(image('web'), CANARY_IMAGE);
    type Metric = {
      name: string;
      passed: boolean;
      value?: number;
      measurements: { outcome: string; value?: number }[];
    };
    const details = run.record?.details as { steps: { kind: string; analysis?: { metrics: Metric[] } }[] };
    const analyses = details.steps.filter((s) => s.kind === 'analysis').map((s) => s.analysis!.metrics);
    assert.equal(analyses.length, 2);
    for (const metrics of analyses) {
      assert.deepEqual(
        metrics.map((m) => [m.name, m.passed, m.measurements.map((x) => x.outcome)]),
        [
          ['success-rate', true, ['pass', 'pass']],
          ['latency-p99', true, ['pass', 'pass']],
          ['no-traffic-yet', true, ['noData']],
        ],
      );
      assert.equal(metrics[0].value, 1);
      assert.equal(metrics[1].value, 0.12);
    }
    // Pauses 2 × 2 s, plus one interval between the two measurements of each analysis (metrics run side by side).
    const pausesMs = 4000;
    const intervalsMs = 2 * 1000;
    console.log(
      `      figures: run wall ${wallMs} ms; pauses ${pausesMs} ms; pauses+intervals ${pausesMs + intervalsMs} ms; ` +
        `wall/pauses ${(wallMs / pausesMs).toFixed(2)}; overhead beyond pauses+intervals ${wallMs - pausesMs - intervalsMs} ms`,
    );
    assert.ok(wallMs >= pausesMs + intervalsMs);
  });

  it('a failing metric aborts to 100% stable', async () => {
    app.errorRatio = 0.3;
    await prom.waitFor(SUCCESS, (v) => Math.abs(v - 0.7) < 1e-9);
    const run = await runCanary(kube, { ...inputs, prometheusUrl: prom.url, steps: '20, analysis, 100' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /Analysis at step 2 failed: success-rate: 1 failed measurement\(s\).*0\.7 does not satisfy result >= 0\.99.*Aborted: traffic is 100% stable/,
    );
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(image('web'), STABLE_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'web')!;
    assert.deepEqual((route.spec as { rules: { backendRefs: unknown[] }[] }).rules[0].backendRefs, [
      { name: 'web', port: 80 },
    ]);
  });

  it('a PromQL syntax error fails before any traffic moves, naming the metric', async () => {
    const broken = METRICS.replace(`'${LATENCY}'`, '\'max(app_latency_p99_seconds{app="web-canary"}\'');
    const run = await runCanary(kube, {
      ...inputs,
      prometheusUrl: prom.url,
      metrics: broken,
      steps: '20, analysis, 100',
    });
    assert.equal(run.host.result?.result, 'Failed');
    // The real server's parser message, passed through (neutralised) with the metric's name.
    assert.match(
      run.host.result.message,
      /metric latency-p99 \(prometheus\): Prometheus answered bad_data: .*parse error.*Nothing was changed/,
    );
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'none' });
    assert.deepEqual(kube.writes(), []);
  });
});
