import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { TaskManifest, isVisible } from '../../tasks/common/manifest';
import { ROOT, TASK_NAMES } from '../../devkit/project';

/** Every step of ours in examples/*.yml, checked against task.json as Azure DevOps would at queue time. */
interface Step {
  file: string;
  task: string;
  major: number;
  inputs: Record<string, unknown>;
}

function collectSteps(node: unknown, file: string, out: Step[]): void {
  if (Array.isArray(node)) {
    node.forEach((n) => collectSteps(n, file, out));
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    const m = typeof obj.task === 'string' ? /^(\w+)@(\d+)$/.exec(obj.task) : null;
    if (m && (TASK_NAMES as string[]).includes(m[1])) out.push({ file, task: m[1], major: Number(m[2]), inputs: (obj.inputs ?? {}) as Record<string, unknown> });
    Object.values(obj).forEach((v) => collectSteps(v, file, out));
  }
}

const manifests = new Map(TASK_NAMES.map((n) => [n as string, JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', n, 'task.json'), 'utf8')) as TaskManifest]));
const dir = path.join(ROOT, 'examples');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yml'));
const steps: Step[] = [];
for (const f of files) collectSteps(parse(fs.readFileSync(path.join(dir, f), 'utf8')), f, steps);

/** Values computed at run time ($(var), ${{ parameters.x }}) can only be checked for presence. */
const isMacro = (v: string): boolean => /\$\(|\$\{\{/.test(v);

describe('example pipelines', () => {
  it('exist for AKS + ADB, OKE canary and ACR image + chart promotion, and use all five tasks', () => {
    const wanted = ['acr-promote-image-and-chart.yml', 'aks-canary-argo-steps-manual-gate.yml', 'aks-oracle-adb-staged.yml', 'oke-canary-gateway-api.yml'];
    assert.deepEqual(wanted.filter((f) => !files.includes(f)), [], 'missing examples');
    assert.deepEqual([...new Set(steps.map((s) => s.task))].sort(), [...TASK_NAMES].sort());
  });

  for (const step of steps) {
    it(`${step.file}: ${step.task}@${step.major} inputs match task.json`, () => {
      const manifest = manifests.get(step.task)!;
      assert.equal(step.major, manifest.version.Major, 'major version');
      const given = Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, String(v)]));
      const valueOf = (name: string): string | undefined => given[name] ?? manifest.inputs.find((i) => i.name === name)?.defaultValue;
      for (const name of Object.keys(given)) assert.ok(manifest.inputs.some((i) => i.name === name), `unknown input '${name}'`);
      for (const input of manifest.inputs) {
        const value = valueOf(input.name);
        if (input.required && isVisible(input.visibleRule, valueOf)) assert.ok(value !== undefined && value !== '', `required input '${input.name}' missing`);
        if (value === undefined || isMacro(value)) continue;
        if (input.type === 'pickList') assert.ok(Object.keys(input.options ?? {}).includes(value), `'${value}' not allowed for '${input.name}'`);
        if (input.type === 'boolean') assert.match(value, /^(true|false)$/i, `'${input.name}' must be true or false`);
      }
    });
  }
});
