import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { FLUX_NS, fluxOwn, installFlux, runCanaryAs, suspended } from '../../devkit/stand-ins/flux';
import { CANARY_IMAGE, NS, STABLE_IMAGE, startKube } from '../../devkit/stand-ins/kube-fixture';
import { SUSPENDED_BY, fluxOwners } from '../../tasks/CanaryShift/kube/flux';
import { Holder, leaseDecision, leaseName } from '../../tasks/CanaryShift/kube/lease';

const LEASE = 'web-canary-lock';
const ME: Holder = { identity: 'azure-pipelines:a/b/builds/1', description: 'pipeline p run 1 (build 1)' };

describe('CanaryShift guards (pure)', () => {
  it('Flux owners from the labels kustomize-controller and helm-controller set', () => {
    const obj = (kind: string, name: string, labels: Record<string, string>) => ({
      kind,
      metadata: { name, namespace: 'shop', labels },
    });
    const ks = { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
    assert.deepEqual(
      fluxOwners([obj('Deployment', 'web', ks), obj('HTTPRoute', 'web', ks), obj('Service', 'web', {})]),
      [{ kind: 'Kustomization', name: 'apps', namespace: 'flux-system', owns: ['Deployment web', 'HTTPRoute web'] }],
    );
    assert.deepEqual(fluxOwners([obj('Deployment', 'web', { 'helm.toolkit.fluxcd.io/name': 'web' })]), [
      { kind: 'HelmRelease', name: 'web', namespace: 'shop', owns: ['Deployment web'] },
    ]);
    assert.deepEqual(fluxOwners([obj('Deployment', 'web', { app: 'web' })]), []);
  });

  it('the Lease as found: create, renew our own, refuse a live one, take over an expired one', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const lease = (holder: string, renew: string, seconds: number) => ({
      metadata: { name: LEASE, annotations: { 'canaryshift.multicloud-devsecops.io/holder': `${holder} desc` } },
      spec: { holderIdentity: holder, renewTime: renew, leaseDurationSeconds: seconds },
    });
    const cases: [JsonObject | undefined, string][] = [
      [undefined, 'create'],
      [lease(ME.identity, '2026-11-30T09:59:00.000000Z', 60), 'renew'],
      [lease(ME.identity, '2026-11-30T08:00:00.000000Z', 60), 'renew'],
      [lease('other', '2026-11-30T09:59:30.000000Z', 60), 'refuse other desc until 2026-11-30T10:00:30.000Z'],
      [lease('other', '2026-11-30T09:58:00.000000Z', 60), 'takeOver other desc'],
      [lease('', '2026-11-30T09:59:59.000000Z', 3600), 'takeOver'],
    ];
    for (const [found, want] of cases) {
      const d = leaseDecision(found as never, ME, now);
      const got =
        d.op === 'refuse'
          ? `refuse ${d.holder} until ${d.expiresAt}`
          : d.op === 'takeOver'
            ? `takeOver ${d.previous}`
            : d.op;
      assert.ok(got.startsWith(want), `${want} ← ${got}`);
    }
    assert.equal(leaseName('web'), LEASE);
    assert.ok(leaseName('a'.repeat(246)).length <= 253);
  });
});

describe('CanaryShift Flux awareness and lock lease against the kube emulator', function () {
  this.timeout(60_000);
  let kube: KubeApiServer;
  let prom: PrometheusEmulator;
  beforeEach(async () => {
    kube = await startKube();
    installFlux(kube);
    prom = await PrometheusEmulator.start();
  });
  afterEach(async () => {
    await kube.close();
    await prom.close();
  });

  const image = (): string =>
    (kube.get('apps/v1', 'Deployment', NS, 'web')!.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec.containers[0].image;
  const lease = (): JsonObject | undefined => kube.get('coordination.k8s.io/v1', 'Lease', NS, LEASE);
  const ownBoth = (): void =>
    fluxOwn(kube, 'Kustomization', 'apps', [
      ['apps/v1', 'Deployment', 'web'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute', 'web'],
    ]);
  const base = { action: 'run', image: CANARY_IMAGE, steps: '20, 100' };
  const index = (pred: (r: KubeApiServer['requests'][number]) => boolean): number => kube.requests.findIndex(pred);
  const lastIndex = (pred: (r: KubeApiServer['requests'][number]) => boolean): number =>
    kube.requests.map(pred).lastIndexOf(true);

  it('warn: names the Kustomization and changes nothing of Flux', async () => {
    ownBoth();
    const r = await runCanaryAs(kube, { ...base, fluxReconciliation: 'warn' });
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    const warning = r.host.lines.find((l) => l.includes('Flux Kustomization'));
    assert.match(
      warning ?? '',
      /Flux Kustomization flux-system\/apps \(owns Deployment web, HTTPRoute web\) reconciles these objects.*flux suspend kustomization apps -n flux-system/,
    );
    assert.equal(
      index((q) => q.path.includes('kustomizations') && q.method !== 'GET'),
      -1,
    );
  });

  it('suspend: the Kustomization is suspended before the first write and resumed after promote', async () => {
    ownBoth();
    const r = await runCanaryAs(kube, base); // suspend is the default (issue 15: suspend when detected)
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    const suspendAt = index((q) => q.method === 'PATCH' && q.path.endsWith('/kustomizations/apps'));
    const firstRolloutWrite = index((q) => q.method !== 'GET' && /deployments|httproutes|services/.test(q.path));
    const lastRolloutWrite = lastIndex((q) => q.method !== 'GET' && /deployments|httproutes|services/.test(q.path));
    const resumeAt = lastIndex((q) => q.method === 'PATCH' && q.path.endsWith('/kustomizations/apps'));
    assert.ok(suspendAt >= 0 && suspendAt < firstRolloutWrite, 'suspended before the canary is deployed');
    assert.ok(resumeAt > lastRolloutWrite, 'resumed after the promotion');
    assert.deepEqual(kube.requests[suspendAt].body, {
      metadata: { annotations: { [SUSPENDED_BY]: 'pipeline shop-cd run 20261123.1 (build 4711), stage staging' } },
      spec: { suspend: true },
    });
    assert.equal(kube.requests[suspendAt].contentType, 'application/merge-patch+json');
    assert.equal(suspended(kube, 'Kustomization', 'apps'), false);
    const ks = kube.get('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', FLUX_NS, 'apps')!;
    assert.equal(((ks.metadata as JsonObject).annotations as JsonObject | undefined)?.[SUSPENDED_BY], undefined);
    assert.equal(image(), CANARY_IMAGE);
  });

  it('suspend: a failed run that aborts resumes the HelmRelease too', async () => {
    fluxOwn(kube, 'HelmRelease', 'web', [['apps/v1', 'Deployment', 'web']], { namespaceLabel: false });
    prom.script('ok_ratio', [1, 0.5]);
    const r = await runCanaryAs(kube, {
      ...base,
      steps: '20, analysis, 100',
      fluxReconciliation: 'suspend',
      prometheusUrl: prom.url,
      query: 'ok_ratio',
    });
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(r.host.result.message, /Aborted: traffic is 100% stable/);
    const patches = kube.requests.filter(
      (q) => q.method === 'PATCH' && q.path.endsWith(`/namespaces/${NS}/helmreleases/web`),
    );
    assert.deepEqual(
      patches.map((q) => (q.body as { spec: { suspend: boolean } }).spec.suspend),
      [true, false],
    );
    assert.equal(suspended(kube, 'HelmRelease', 'web', NS), false);
    assert.equal(image(), STABLE_IMAGE);
  });

  it('a canary left paused keeps Flux suspended and the lease; the abort stage resumes and releases', async () => {
    ownBoth();
    const paused = await runCanaryAs(kube, { ...base, steps: '20, pause', fluxReconciliation: 'suspend' });
    assert.deepEqual(paused.host.outputs, { canaryWeight: '20', outcome: 'paused' });
    assert.equal(suspended(kube, 'Kustomization', 'apps'), true);
    assert.equal((lease()?.spec as JsonObject).leaseDurationSeconds, 86_400);
    // Another pipeline cannot touch it meanwhile.
    const other = await runCanaryAs(
      kube,
      { action: 'promote' },
      { 'Build.BuildId': '5000', 'Build.BuildNumber': '20261124.7' },
    );
    assert.equal(other.host.result?.result, 'Failed');
    assert.match(
      other.host.result.message,
      /Deployment web is locked by another CanaryShift run: pipeline shop-cd run 20261123\.1 \(build 4711\), stage staging holds Lease web-canary-lock until .*Nothing was changed/,
    );
    // The same pipeline run's later stage aborts: Flux resumed, lock released.
    const abort = await runCanaryAs(kube, { action: 'abort' }, { 'System.StageName': 'rollback' });
    assert.equal(abort.host.result?.result, 'Succeeded', abort.host.result?.message);
    assert.equal(suspended(kube, 'Kustomization', 'apps'), false);
    assert.equal(lease(), undefined);
    assert.equal(image(), STABLE_IMAGE);
  });

  it('two concurrent runs on one Deployment: the second fails naming the holder and writes nothing', async () => {
    const first = runCanaryAs(kube, { ...base, steps: '20, pause 2s, 100' });
    const started = Date.now();
    while (!lease() && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(lease(), 'the first run holds the lease');
    const before = kube.requests.length;
    const second = await runCanaryAs(
      kube,
      { ...base, image: STABLE_IMAGE.replace('a'.repeat(64), 'c'.repeat(64)) },
      { 'Build.BuildId': '4712', 'Build.BuildNumber': '20261123.2', 'System.JobDisplayName': 'canary' },
    );
    assert.equal(second.host.result?.result, 'Failed');
    assert.match(
      second.host.result.message,
      /locked by another CanaryShift run: pipeline shop-cd run 20261123\.1 \(build 4711\)/,
    );
    // Its writes carry its build id (4712): the one it tried, creating the Lease, met the first run's (409).
    const mine = kube.requests
      .slice(before)
      .filter((q) => q.method !== 'GET' && JSON.stringify(q.body ?? null).includes('4712'));
    assert.deepEqual(
      mine.map((q) => `${q.method} ${q.path} ${q.status}`),
      [`POST /apis/coordination.k8s.io/v1/namespaces/${NS}/leases 409`],
    );
    const r = await first;
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    assert.equal(lease(), undefined, 'released at the end');
  });

  it('a stale lease left by a crashed run is taken over with a message', async () => {
    kube.seed({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: LEASE,
        namespace: NS,
        annotations: { 'canaryshift.multicloud-devsecops.io/holder': 'pipeline old run 7 (build 7)' },
      },
      spec: {
        holderIdentity: 'azure-pipelines:https://dev.azure.com/contoso/shop/builds/7',
        leaseDurationSeconds: 60,
        acquireTime: '2026-01-01T00:00:00.000000Z',
        renewTime: '2026-01-01T00:00:00.000000Z',
      },
    });
    const r = await runCanaryAs(kube, base);
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    assert.ok(
      r.host.lines.some((l) =>
        /Took over Lease web-canary-lock from pipeline old run 7 \(build 7\): it expired/.test(l),
      ),
    );
    assert.equal(lease(), undefined);
  });
});
