import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { CANARY_IMAGE, NS, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';

/** The HPA walkthrough's autoscaling/v2 object (kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough). */
const HPA_YAML = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
`;

/** Issue 15: an HPA on the stable is respected and copied for the canary (created with kubectl, read back with kubectl). */
describe('CanaryShift with an HPA on the stable (kube-apiserver emulator, kubectl)', function () {
  this.timeout(60_000);
  let kube: KubeApiServer;
  let dir: string;
  const kubectl = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), '-n', NS, ...args], (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
      ),
    );
  beforeEach(async () => {
    kube = await startKube();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpa-'));
    fs.writeFileSync(path.join(dir, 'kubeconfig'), kube.kubeconfig());
    fs.writeFileSync(path.join(dir, 'hpa.yaml'), HPA_YAML);
    // The emulator serves no OpenAPI document, so kubectl's client-side schema validation is off.
    await kubectl('create', '--validate=false', '-f', path.join(dir, 'hpa.yaml'));
    // The HPA has scaled the stable to 6 (spec.replicas says 3: the live count is what counts).
    const web = kube.get('apps/v1', 'Deployment', NS, 'web')!;
    kube.seed({
      ...web,
      status: { observedGeneration: 1, replicas: 6, updatedReplicas: 6, readyReplicas: 6, availableReplicas: 6 },
    });
  });
  afterEach(async () => {
    await kube.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const replicas = (name: string): unknown =>
    (kube.get('apps/v1', 'Deployment', NS, name)?.spec as JsonObject | undefined)?.replicas;
  const canaryHpa = async (): Promise<{ min: number; max: number; target: string; cpu: number } | undefined> => {
    const out = await kubectl('get', 'hpa', '-o', 'json');
    const item = (JSON.parse(out).items as { metadata: { name: string }; spec: JsonObject }[]).find(
      (i) => i.metadata.name === 'web-canary',
    );
    if (!item) return undefined;
    const s = item.spec as {
      minReplicas: number;
      maxReplicas: number;
      scaleTargetRef: { name: string };
      metrics: { resource: { target: { averageUtilization: number } } }[];
    };
    return {
      min: s.minReplicas,
      max: s.maxReplicas,
      target: s.scaleTargetRef.name,
      cpu: s.metrics[0].resource.target.averageUtilization,
    };
  };

  it('canary sized from the live stable count within its HPA bounds; the canary HPA follows the weight, then goes', async () => {
    const deploy = await runCanary(kube, { action: 'deploy', image: CANARY_IMAGE });
    assert.equal(deploy.host.result?.result, 'Succeeded', deploy.host.result?.message);
    assert.deepEqual(await canaryHpa(), { min: 1, max: 1, target: 'web-canary', cpu: 50 });
    const seen: unknown[] = [];
    for (const weight of ['50', '100', '10']) {
      const r = await runCanary(kube, { action: 'shift', weight });
      assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
      seen.push([weight, replicas('web-canary'), await canaryHpa()]);
    }
    assert.deepEqual(seen, [
      ['50', 3, { min: 1, max: 5, target: 'web-canary', cpu: 50 }],
      ['100', 6, { min: 2, max: 10, target: 'web-canary', cpu: 50 }],
      ['10', 1, { min: 1, max: 1, target: 'web-canary', cpu: 50 }],
    ]);
    const abort = await runCanary(kube, { action: 'abort' });
    assert.equal(abort.host.result?.result, 'Succeeded');
    assert.equal(await canaryHpa(), undefined);
    // The stable's own HPA is untouched.
    const stable = JSON.parse(await kubectl('get', 'hpa', 'web', '-o', 'json'));
    assert.deepEqual(
      [stable.spec.minReplicas, stable.spec.maxReplicas, stable.spec.scaleTargetRef.name],
      [2, 10, 'web'],
    );
  });

  it('blue/green: the preview gets the stable HPA bounds and the live size; promote removes its HPA', async () => {
    const run = await runCanary(kube, {
      strategy: 'blueGreen',
      action: 'deploy',
      image: CANARY_IMAGE,
      scaleDownDelaySeconds: '0',
    });
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(replicas('web-preview'), 6);
    const out = JSON.parse(await kubectl('get', 'hpa', 'web-preview', '-o', 'json'));
    assert.deepEqual(
      [out.spec.minReplicas, out.spec.maxReplicas, out.spec.scaleTargetRef.name],
      [2, 10, 'web-preview'],
    );
    const promote = await runCanary(kube, { strategy: 'blueGreen', action: 'promote', scaleDownDelaySeconds: '0' });
    assert.equal(promote.host.result?.result, 'Succeeded', promote.host.result?.message);
    assert.deepEqual(
      JSON.parse(await kubectl('get', 'hpa', '-o', 'json')).items.map(
        (i: JsonObject) => (i.metadata as JsonObject).name,
      ),
      ['web'],
    );
  });

  it('the emulator refuses an HPA whose max is below its min, as the API server does', async () => {
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      HPA_YAML.replace('name: web\nspec', 'name: bad\nspec').replace('maxReplicas: 10', 'maxReplicas: 1'),
    );
    await assert.rejects(
      kubectl('create', '--validate=false', '-f', path.join(dir, 'bad.yaml')),
      /spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`/,
    );
  });
});
