import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_IMAGE, NS, STABLE_IMAGE, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';
import { validateRecord } from '../../tasks/common/record';

/** Issue 15 blue/green through the runner (in-process) against the kube-apiserver emulator. */
describe('CanaryShift blue/green (kube-apiserver emulator)', function () {
  this.timeout(60_000);
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

  const bg = (extra: Record<string, string> = {}): Record<string, string> => ({
    strategy: 'blueGreen',
    action: 'run',
    image: CANARY_IMAGE,
    trafficRouter: 'gatewayApi',
    scaleDownDelaySeconds: '0',
    metrics: `- name: preview-ok\n  provider: prometheus\n  address: ${prom.url}\n  query: preview_ok\n- name: live-ok\n  provider: prometheus\n  address: ${prom.url}\n  query: live_ok\n`,
    prePromotionAnalysis: 'preview-ok',
    postPromotionAnalysis: 'live-ok',
    ...extra,
  });
  const selector = (name: string): unknown =>
    (kube.get('v1', 'Service', NS, name)?.spec as JsonObject | undefined)?.selector;
  const image = (name: string): string | undefined => {
    const d = kube.get('apps/v1', 'Deployment', NS, name);
    return ((d?.spec as JsonObject | undefined)?.template as { spec: { containers: { image: string }[] } } | undefined)
      ?.spec.containers[0].image;
  };
  const writesSince = (n: number): string[] =>
    kube
      .writes()
      .slice(n)
      .map((w) => `${w.method} ${w.path}`);
  /** Which Service selector the active Service had at each write, in order (the traffic's history). */
  const history: string[] = [];
  const watchActive = (): void => {
    history.length = 0;
    kube.onChange(() => {
      const s = JSON.stringify(selector('web'));
      if (history[history.length - 1] !== s) history.push(s);
    });
  };

  it('run: preview behind web-preview, pre-analysis, switch, post-analysis, old version removed; re-run writes nothing', async () => {
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1]);
    watchActive();
    const run = await runCanary(kube, bg());
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'promoted' });
    // The active Service went to the preview pods, then back to web's own (now new) pods.
    assert.deepEqual(history, [
      '{"app":"web"}',
      '{"app":"web-preview","multicloud-devsecops.io/role":"preview"}',
      '{"app":"web"}',
    ]);
    assert.equal(image('web'), CANARY_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-preview'), undefined);
    assert.equal(kube.get('v1', 'Service', NS, 'web-preview'), undefined);
    const annotations = (kube.get('v1', 'Service', NS, 'web')!.metadata as JsonObject).annotations as JsonObject;
    assert.equal(annotations?.['multicloud-devsecops.io/original-selector'], undefined, 'nothing saved any more');
    const details = run.record!.details as JsonObject;
    assert.deepEqual(
      (details.steps as { kind: string; note?: string }[]).map(
        (s) => `${s.kind}${s.note ? `:${s.note.split(' ')[0]}` : ''}`,
      ),
      [
        'deploy',
        'analysis:prePromotion',
        'switch:web',
        'analysis:postPromotion',
        'pause:scaleDownDelay',
        'promote',
        'switch:web',
        'pause:drain',
      ],
    );
    assert.deepEqual(
      [details.strategy, details.activeService, details.previewService, details.prePromotionAnalysis, details.activeOn],
      ['blueGreen', 'web', 'web-preview', 'preview-ok', 'stable'],
    );
    const v = validateRecord(run.record, { strict: true });
    // The blue/green fields are in the record schema (the metrics fields are issue 15's other branch).
    assert.ok(v.ok);
    const mine = [
      'strategy',
      'activeService',
      'previewService',
      'PromotionAnalysis',
      'scaleDown',
      'activeOn',
      'autoPromotion',
    ];
    assert.deepEqual(
      v.problems.filter((p) => mine.some((m) => p.includes(m))),
      [],
    );
    for (const k of mine.filter((m) => m !== 'PromotionAnalysis' && m !== 'scaleDown'))
      assert.ok(
        Object.keys(v.record.details).some((d) => d.startsWith(k)),
        `${k} kept by the validator`,
      );
    const md = fs.readFileSync(run.host.summaries[0], 'utf8');
    for (const row of ['strategy | blueGreen', 'previewService | web-preview', 'activeOn | stable'])
      assert.ok(md.includes(`| ${row} |`), `${row} in the summary:\n${md}`);
    const before = kube.writes().length;
    const again = await runCanary(kube, bg());
    assert.deepEqual([again.host.result?.result, again.host.outputs.outcome], ['Succeeded', 'promoted']);
    assert.deepEqual(writesSince(before), []);
  });

  it('deploy leaves the active Service alone; promote switches and finishes; abort after deploy removes the preview', async () => {
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1]);
    const deploy = await runCanary(kube, bg({ action: 'deploy' }));
    assert.equal(deploy.host.result?.result, 'Succeeded', deploy.host.result?.message);
    assert.deepEqual(selector('web'), { app: 'web' });
    assert.deepEqual(selector('web-preview'), { app: 'web-preview', 'multicloud-devsecops.io/role': 'preview' });
    assert.equal(image('web-preview'), CANARY_IMAGE);
    assert.equal((kube.get('apps/v1', 'Deployment', NS, 'web-preview')!.spec as JsonObject).replicas, 3, 'full size');
    const abort = await runCanary(kube, bg({ action: 'abort' }));
    assert.deepEqual(abort.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-preview'), undefined);
    assert.equal(kube.get('v1', 'Service', NS, 'web-preview'), undefined);
    await runCanary(kube, bg({ action: 'deploy' }));
    const promote = await runCanary(kube, bg({ action: 'promote' }));
    assert.equal(promote.host.result?.result, 'Succeeded', promote.host.result?.message);
    assert.equal(image('web'), CANARY_IMAGE);
    assert.deepEqual(selector('web'), { app: 'web' });
  });

  it('autoPromotionEnabled false pauses before the switch; promote switches later', async () => {
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1]);
    const run = await runCanary(kube, bg({ autoPromotionEnabled: 'false' }));
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'paused' });
    assert.deepEqual(selector('web'), { app: 'web' });
    assert.ok(kube.get('apps/v1', 'Deployment', NS, 'web-preview'));
    const queries = prom.queries.length;
    const promote = await runCanary(kube, bg({ action: 'promote', autoPromotionEnabled: 'false' }));
    assert.deepEqual(promote.host.outputs, { canaryWeight: '0', outcome: 'promoted' });
    // promote did not repeat the pre-promotion analysis the run passed; it ran the post-promotion one.
    assert.deepEqual(
      prom.queries
        .slice(queries)
        .map((q) => q.query)
        .filter((q) => q !== 'live_ok' && q !== 'preview_ok'),
      [],
    );
    assert.ok(prom.queries.slice(queries).some((q) => q.query === 'live_ok'));
    assert.ok(!prom.queries.slice(queries + 2).some((q) => q.query === 'preview_ok'));
    assert.equal(image('web'), CANARY_IMAGE);
  });

  it('a failing post-promotion analysis switches back to the old version and removes the preview', async () => {
    prom.script('preview_ok', [1]);
    prom.script('live_ok', [1, 0]);
    watchActive();
    const run = await runCanary(kube, bg());
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /Aborted: Service web selects the old version and the preview was removed/);
    assert.deepEqual(run.host.outputs, { canaryWeight: '0', outcome: 'aborted' });
    assert.deepEqual(history, [
      '{"app":"web"}',
      '{"app":"web-preview","multicloud-devsecops.io/role":"preview"}',
      '{"app":"web"}',
    ]);
    assert.equal(image('web'), STABLE_IMAGE);
    assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-preview'), undefined);
  });

  it('a failing pre-promotion analysis never switches', async () => {
    prom.script('preview_ok', [1, 0]);
    prom.script('live_ok', [1]);
    watchActive();
    const run = await runCanary(kube, bg());
    assert.deepEqual([run.host.result?.result, run.host.outputs.outcome], ['Failed', 'aborted']);
    assert.deepEqual(history, ['{"app":"web"}']);
    assert.equal(image('web'), STABLE_IMAGE);
  });
});
