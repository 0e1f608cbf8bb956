import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { TaskManifest, isVisible } from '../../tasks/common/manifest';
import { ROOT, TASK_NAMES } from '../../devkit/project';

/** Every step of ours in examples/*.yml, checked against task.json as Azure DevOps would at queue time. */
interface Step {
  file: string;
  /** The stage the step is in (for ordering checks). */
  stage?: string;
  task: string;
  major: number;
  inputs: Record<string, unknown>;
}

function collectSteps(node: unknown, file: string, out: Step[], stage?: string): void {
  if (Array.isArray(node)) {
    node.forEach((n) => collectSteps(n, file, out, stage));
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    const here = typeof obj.stage === 'string' ? obj.stage : stage;
    const m = typeof obj.task === 'string' ? /^(\w+)@(\d+)$/.exec(obj.task) : null;
    if (m && (TASK_NAMES as string[]).includes(m[1]))
      out.push({
        file,
        stage: here,
        task: m[1],
        major: Number(m[2]),
        inputs: (obj.inputs ?? {}) as Record<string, unknown>,
      });
    Object.values(obj).forEach((v) => collectSteps(v, file, out, here));
  }
}

const manifests = new Map(
  TASK_NAMES.map((n) => [
    n as string,
    JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', n, 'task.json'), 'utf8')) as TaskManifest,
  ]),
);
const dir = path.join(ROOT, 'examples');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yml'));
const steps: Step[] = [];
for (const f of files) collectSteps(parse(fs.readFileSync(path.join(dir, f), 'utf8')), f, steps);

/** Values computed at run time ($(var), ${{ parameters.x }}) can only be checked for presence. */
const isMacro = (v: string): boolean => /\$\(|\$\{\{/.test(v);

describe('example pipelines', () => {
  it('exist for AKS + ADB, OKE canary, ACR/Docker Hub/OCIR promotion, gated canaries, and use all five tasks', () => {
    const wanted = [
      'acr-promote-image-and-chart.yml',
      'aks-canary-argo-steps-manual-gate.yml',
      'aks-oracle-adb-staged.yml',
      'canary-argo-steps-manual-gate.yml',
      'dockerhub-base-image-to-acr.yml',
      'ocir-target-and-helm-chart.yml',
      'oke-canary-gateway-api.yml',
    ];
    assert.deepEqual(
      wanted.filter((f) => !files.includes(f)),
      [],
      'missing examples',
    );
    assert.deepEqual([...new Set(steps.map((s) => s.task))].sort(), [...TASK_NAMES].sort());
  });

  const promotions = steps
    .filter((s) => s.task === 'AcrPromote')
    .map((s) => ({ ...s, source: String(s.inputs.sourceImage), target: String(s.inputs.targetRegistry) }));
  it('promote a Docker Hub base image the way docker pull names it (no registry, library/ implied)', () => {
    assert.ok(
      promotions.some((p) => p.file === 'dockerhub-base-image-to-acr.yml' && /^[a-z0-9._-]+:[\w.-]+$/.test(p.source)),
      'an official image such as nginx:1.27',
    );
    assert.ok(
      promotions.some((p) => /^[a-z0-9]+\/[a-z0-9._-]+:/.test(p.source) && !p.source.split('/')[0].includes('.')),
      'a user image such as bitnami/redis:7.4',
    );
  });
  it('promote to OCIR with the namespace in the repository, and a Helm chart named oci://', () => {
    const ocir = promotions.filter((p) => /^[a-z]{3}\.ocir\.io$/.test(p.target));
    assert.ok(ocir.length > 0, 'a targetRegistry of <region key>.ocir.io');
    for (const p of ocir)
      assert.match(
        String(p.inputs.targetRepository),
        /^[^/]+\/.+/,
        'OCIR repositories start with the tenancy namespace',
      );
    assert.ok(
      promotions.some((p) => p.source.startsWith('oci://')),
      'a chart as helm pull names it',
    );
  });
  it('gate a canary: run with Argo-style steps ending in a pause without duration, ManualValidation, then promote; abort otherwise', () => {
    const file = 'canary-argo-steps-manual-gate.yml';
    const doc = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      stages: { stage: string; jobs: { pool?: unknown; steps?: { task: string }[] }[] }[];
    };
    const order = doc.stages.map((st) => st.stage);
    const canary = steps.filter((s) => s.file === file && s.task === 'CanaryShift');
    const action = (stage: string): unknown => canary.find((s) => s.stage === stage)?.inputs.action;
    assert.deepEqual(order, ['canary', 'gate', 'promote', 'abort']);
    assert.equal(action('canary'), 'run');
    assert.equal(action('promote'), 'promote');
    assert.equal(action('abort'), 'abort');
    const gate = doc.stages[1].jobs[0];
    assert.equal(gate.pool, 'server', 'ManualValidation runs in an agentless job');
    assert.equal(gate.steps?.[0].task, 'ManualValidation@1');
    const stepsText = String(canary.find((s) => s.stage === 'canary')?.inputs.steps);
    assert.match(stepsText, /^- setWeight: \d+$/m);
    assert.match(stepsText, /^- pause: \{duration: \w+\}$/m);
    assert.match(stepsText.trim(), /- pause: \{\}$/, 'the run ends holding the canary at its weight');
  });

  for (const step of steps) {
    it(`${step.file}: ${step.task}@${step.major} inputs match task.json`, () => {
      const manifest = manifests.get(step.task)!;
      assert.equal(step.major, manifest.version.Major, 'major version');
      const given = Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, String(v)]));
      const valueOf = (name: string): string | undefined =>
        given[name] ?? manifest.inputs.find((i) => i.name === name)?.defaultValue;
      for (const name of Object.keys(given))
        assert.ok(
          manifest.inputs.some((i) => i.name === name),
          `unknown input '${name}'`,
        );
      for (const input of manifest.inputs) {
        const value = valueOf(input.name);
        if (input.required && isVisible(input.visibleRule, valueOf))
          assert.ok(value !== undefined && value !== '', `required input '${input.name}' missing`);
        if (value === undefined || isMacro(value)) continue;
        if (input.type === 'pickList')
          assert.ok(Object.keys(input.options ?? {}).includes(value), `'${value}' not allowed for '${input.name}'`);
        if (input.type === 'boolean') assert.match(value, /^(true|false)$/i, `'${input.name}' must be true or false`);
      }
    });
  }
});
