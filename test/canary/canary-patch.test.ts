import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { NS, STABLE_IMAGE, runCanary, startKube } from '../../devkit/stand-ins/kube-fixture';
import { applyPodPatch, parseCanaryPatch } from '../../tasks/CanaryShift/plan/pod-patch';

const TEMPLATE = {
  metadata: { labels: { app: 'web' }, annotations: { a: '1' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'r.example/web:1',
        args: ['--a', '--b'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [{ containerPort: 8080, name: 'http' }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
        resources: { limits: { cpu: '1', memory: '1Gi' } },
      },
      { name: 'proxy', image: 'r.example/envoy:1' },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'web-v1' } }],
    tolerations: [{ key: 'a', operator: 'Exists' }],
  },
};

/** Patches as users write them for `kubectl patch deployment web -p …` (each also as a bare pod template patch). */
const PATCHES: string[] = [
  'spec: {template: {spec: {containers: [{name: web, env: [{name: B, value: "3"}, {name: C, value: "4"}]}]}}}',
  '{"spec":{"template":{"spec":{"containers":[{"name":"proxy","$patch":"delete"}]}}}}',
  'spec:\n  template:\n    spec:\n      volumes:\n      - name: cfg\n        configMap: {name: web-v2}\n',
  'spec: {template: {spec: {containers: [{name: web, args: ["--c"], resources: {limits: {cpu: null}}}]}}}',
  'spec: {template: {spec: {containers: [{name: web, env: [{name: A, $patch: delete}]}], tolerations: []}}}',
  'spec: {template: {metadata: {annotations: {b: "2", a: null}}, spec: {containers: [{name: web, ports: [{containerPort: 9090}]}]}}}',
  'spec: {template: {spec: {containers: [{name: sidecar, image: r.example/side:1}]}}}',
  'spec: {template: {spec: {containers: [{name: web, volumeMounts: [{mountPath: /data, name: data}]}], volumes: [{name: data, emptyDir: {}}]}}}',
  'spec: {template: {spec: {containers: [{$patch: replace, name: web, image: r.example/web:2}]}}}',
];

describe('CanaryShift canaryPatch', function () {
  this.timeout(60_000);
  const kubectlPatch = (dir: string, patch: string): Promise<JsonObject> =>
    new Promise((resolve, reject) =>
      execFile(
        'kubectl',
        ['patch', '--local', '-f', path.join(dir, 'deploy.json'), '--type', 'strategic', '-p', patch, '-o', 'json'],
        (err, out, errOut) => (err ? reject(new Error(errOut)) : resolve(JSON.parse(out) as JsonObject)),
      ),
    );

  it('merges like kubectl patch --type strategic (the pod template of a Deployment)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patch-'));
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: TEMPLATE },
    };
    fs.writeFileSync(path.join(dir, 'deploy.json'), JSON.stringify(deployment));
    try {
      for (const text of PATCHES) {
        const parsed = parseCanaryPatch(text);
        assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.error}`);
        const ours = applyPodPatch(JSON.parse(JSON.stringify(TEMPLATE)), parsed.value);
        // kubectl takes JSON on the command line; YAML is JSON's superset, so the same document.
        const json = JSON.stringify({ spec: { template: parsed.value.template } });
        const theirs = ((await kubectlPatch(dir, json)).spec as JsonObject).template;
        assert.deepEqual(ours, theirs, text);
        // The pod template's own patch (without spec.template around it) means the same.
        const bare = parseCanaryPatch(JSON.stringify(parsed.value.template));
        assert.ok(bare.ok);
        assert.deepEqual(applyPodPatch(JSON.parse(JSON.stringify(TEMPLATE)), bare.value), theirs);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, up front and by name, what is not a pod template patch', () => {
    const table: [string, RegExp][] = [
      ['spec: {template: {spec: {containers: [{name: web', /is not valid YAML or JSON/],
      ['- a\n- b', /is not a map/],
      ['spec: {replicas: 3, template: {spec: {}}}', /changes 'replicas' of the Deployment/],
      ['kind: Deployment', /a pod template has only metadata and spec/],
      ['metadata: {labels: {app: other}}', /changes the pod labels/],
      ['spec: {containers: [{image: x}]}', /every item needs its merge key name/],
      [
        'spec: {containers: [{name: web, $setElementOrder/env: []}]}',
        /directive \$setElementOrder\/env is not supported/,
      ],
    ];
    for (const [text, error] of table) {
      const r = parseCanaryPatch(text);
      assert.ok(!r.ok, text);
      assert.match(r.error, error, text);
      assert.match(r.fix, /strategic merge patch of the pod template/);
    }
  });

  describe('through the task (kube-apiserver emulator)', () => {
    let kube: KubeApiServer;
    beforeEach(async () => (kube = await startKube()));
    afterEach(() => kube.close());
    const pod = (name: string): { containers: { name: string; image: string; env?: unknown }[] } =>
      ((kube.get('apps/v1', 'Deployment', NS, name)!.spec as JsonObject).template as JsonObject).spec as never;

    it('an env-only canary (no image) runs and promotes the patched pod spec', async () => {
      const canaryPatch = 'spec:\n  containers:\n  - name: web\n    env:\n    - name: FEATURE_X\n      value: "on"\n';
      const run = await runCanary(kube, { action: 'run', canaryPatch, steps: '50, 100' });
      assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
      const web = pod('web').containers[0];
      assert.deepEqual([web.image, web.env], [STABLE_IMAGE, [{ name: 'FEATURE_X', value: 'on' }]]);
      assert.equal((run.record!.details as JsonObject).canaryPatch, true);
      const before = kube.writes().length;
      const again = await runCanary(kube, { action: 'run', canaryPatch, steps: '50, 100' });
      assert.deepEqual([again.host.result?.result, again.host.outputs.outcome], ['Succeeded', 'promoted']);
      assert.deepEqual(kube.writes().slice(before), [], 'already promoted: nothing written');
    });

    it('bad patches fail before any request, naming the input', async () => {
      const run = await runCanary(kube, { action: 'deploy', canaryPatch: 'spec: {containers: [{name: web' });
      assert.equal(run.host.result?.result, 'Failed');
      assert.match(run.host.result.message, /canaryPatch/);
      const none = await runCanary(kube, { action: 'deploy' });
      assert.match(none.host.result!.message, /image.*is required \(or canaryPatch\)/);
      assert.deepEqual(kube.requests, []);
    });

    it('a patch naming a container the stable lacks, without an image, is refused at deploy', async () => {
      const run = await runCanary(kube, {
        action: 'deploy',
        canaryPatch: 'spec: {containers: [{name: wbe, env: []}]}',
      });
      assert.equal(run.host.result?.result, 'Failed');
      assert.match(run.host.result.message, /canaryPatch adds container wbe without an image/);
      assert.equal(kube.get('apps/v1', 'Deployment', NS, 'web-canary'), undefined);
    });
  });
});
