import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OCI_ENDPOINT_TYPE } from '../../tasks/common/connections/oci';
import { TaskManifest, isVisible } from '../../tasks/common/manifest';
import { ROOT, TASK_NAMES } from '../../devkit/project';

interface FullManifest extends TaskManifest {
  category: string;
  groups?: { name: string }[];
  execution: Record<string, { target: string }>;
  restrictions?: { settableVariables?: { allowed: string[] } };
}

const manifests = TASK_NAMES.map(
  (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', name, 'task.json'), 'utf8')) as FullManifest,
);
const extension = JSON.parse(fs.readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8'));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('task manifests', () => {
  it('have distinct random GUIDs and names matching their folders', () => {
    assert.equal(new Set(manifests.map((m) => m.id)).size, TASK_NAMES.length);
    manifests.forEach((m, i) => {
      assert.match(m.id, GUID);
      assert.equal(m.name, TASK_NAMES[i]);
    });
  });

  for (const m of manifests) {
    describe(m.name, () => {
      it('runs on the Node20_1 and Node24 handlers (there is no "Node20") in category Deploy', () => {
        assert.deepEqual(Object.keys(m.execution).sort(), ['Node20_1', 'Node24']);
        assert.equal(m.category, 'Deploy');
      });

      it('declares groups, pickList options and visibleRules that all resolve', () => {
        const groups = new Set((m.groups ?? []).map((g) => g.name));
        const names = new Set(m.inputs.map((i) => i.name));
        assert.equal(names.size, m.inputs.length, 'duplicate input names');
        for (const input of m.inputs) {
          assert.ok(input.label, `${input.name} has no label`);
          if (input.groupName)
            assert.ok(groups.has(input.groupName), `${input.name}: unknown group ${input.groupName}`);
          if (input.type === 'pickList') {
            assert.ok(input.options && Object.keys(input.options).length > 1, `${input.name}: pickList needs options`);
            if (input.defaultValue)
              assert.ok(input.defaultValue in input.options, `${input.name}: default not among options`);
          }
          if (input.type === 'boolean')
            assert.match(input.defaultValue ?? '', /^(true|false)$/, `${input.name}: boolean needs a default`);
          if (input.visibleRule) {
            for (const ref of input.visibleRule.match(/[A-Za-z]\w*(?=\s*(!=|=))/g) ?? [])
              assert.ok(names.has(ref), `${input.name}: visibleRule names unknown input ${ref}`);
            assert.doesNotThrow(() => isVisible(input.visibleRule, () => undefined));
          }
          if (input.type.startsWith('connectedService:')) {
            assert.ok(
              ['AzureRM', 'dockerregistry', 'kubernetes', OCI_ENDPOINT_TYPE].includes(input.type.slice(17)),
              `${input.name}: unknown connection type`,
            );
          }
        }
      });

      it('allows setting exactly its output variables when it restricts them', () => {
        const outputs = (m.outputVariables ?? []).map((o) => o.name).sort();
        assert.ok(outputs.length > 0);
        const allowed = m.restrictions?.settableVariables?.allowed;
        if (allowed) assert.deepEqual([...allowed].sort(), outputs);
      });
    });
  }
});

describe('vss-extension.json', () => {
  const contributions = extension.contributions as {
    id: string;
    type: string;
    targets: string[];
    properties: Record<string, unknown>;
  }[];

  it('is the multicloud-devsecops extension', () => {
    assert.equal(extension.id, 'multicloud-devsecops');
    assert.equal(extension.name, 'Multicloud DevSecOps');
  });

  it('contributes each task folder and packages it', () => {
    const tasks = contributions.filter((c) => c.type === 'ms.vss-distributed-task.task').map((c) => c.properties.name);
    assert.deepEqual(tasks.sort(), TASK_NAMES.map((n) => `tasks/${n}`).sort());
    const files = (extension.files as { path: string }[]).map((f) => f.path);
    for (const t of tasks) assert.ok(files.includes(t as string));
  });

  it('contributes the OCI endpoint type the tasks refer to, with its key material confidential', () => {
    const endpoint = contributions.find((c) => c.type === 'ms.vss-endpoint.service-endpoint-type');
    assert.ok(endpoint);
    assert.equal(endpoint.properties.name, OCI_ENDPOINT_TYPE);
    const schemes = endpoint.properties.authenticationSchemes as {
      inputDescriptors: { id: string; isConfidential: boolean }[];
    }[];
    const fields = Object.fromEntries(schemes[0].inputDescriptors.map((d) => [d.id, d.isConfidential]));
    // Issue 20 row 10: only credentials in the auth scheme (the agent masks every auth parameter);
    // tenancy, user, fingerprint and region are connection data, readable in logs.
    assert.deepEqual(fields, { privateKey: true, passphrase: true });
    const data = (endpoint.properties.inputDescriptors as { id: string; isConfidential: boolean }[]).map((d) => [
      d.id,
      d.isConfidential,
    ]);
    assert.deepEqual(Object.fromEntries(data), {
      tenancy: false,
      user: false,
      fingerprint: false,
      region: false,
      apiEndpoint: false,
    });
  });

  it('contributes the Promotions hub to the Pipelines group and a build results tab', () => {
    const hub = contributions.find((c) => c.targets.includes('ms.vss-build-web.build-release-hub-group'));
    assert.ok(hub, 'hub in the Pipelines hub group');
    const tab = contributions.find((c) => c.type === 'ms.vss-build-web.build-results-tab');
    assert.ok(tab, 'build results tab');
    assert.deepEqual(((tab.properties.supportsTasks as string[]) ?? []).sort(), manifests.map((m) => m.id).sort());
  });
});
