import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { ROOT, TASK_NAMES } from '../../devkit/project';

/** L0: the unbundled tasks under task-lib's MockTestRunner, as Microsoft's own tasks are tested. */
async function runL0(task: string, inputs: Record<string, string>): Promise<MockTestRunner> {
  process.env.L0_TASK = task;
  process.env.L0_INPUTS = JSON.stringify(inputs);
  const runner = new MockTestRunner(
    path.join(__dirname, 'mock-task-entry.js'),
    path.join(ROOT, 'tasks', task, 'task.json'),
  );
  // Without this, MockTestRunner downloads a Node build from the internet.
  runner.nodePath = process.execPath;
  await runner.runAsync();
  return runner;
}

describe('L0 (MockTestRunner, unbundled)', () => {
  after(() => {
    delete process.env.L0_TASK;
    delete process.env.L0_INPUTS;
  });

  for (const task of TASK_NAMES) {
    it(`${task} fails with an error issue naming the missing inputs`, async () => {
      const runner = await runL0(task, {});
      assert.equal(runner.succeeded, false);
      assert.equal(runner.errorIssues.length, 1, runner.stdout);
      assert.match(runner.errorIssues[0], /input '\w+': is required/);
      assert.ok(!runner.stdout.includes('    at '), 'no stack trace');
    });
  }

  it('OracleDbProvision rejects a weak admin password without echoing it', async () => {
    const runner = await runL0('OracleDbProvision', {
      target: 'ociApi',
      action: 'ensure',
      ociConnection: 'oci',
      compartmentId: 'ocid1.compartment.oc1..aaaa',
      displayName: 'orders',
      adminPassword: 'weakpass',
    });
    assert.equal(runner.succeeded, false);
    const issue = runner.errorIssues.join('\n');
    assert.match(
      issue,
      /input 'adminPassword': does not meet OCI's rules: it has 8 characters \(12 to 30 are required\), has no upper-case letter, has no digit/,
    );
    assert.ok(!issue.includes('weakpass'));
    assert.ok(runner.stdOutContained('##vso[task.setsecret]weakpass'), 'registered with the agent before validation');
  });

  it('CanaryShift names the step weight that is out of range', async () => {
    const runner = await runL0('CanaryShift', {
      kubernetesServiceConnection: 'aks',
      deployment: 'web',
      service: 'web',
      image: 'r.azurecr.io/web:1',
      route: 'web',
      steps: '10, 200',
    });
    assert.match(
      runner.errorIssues.join('\n'),
      /input 'steps': step \d \('200'\): weight 200 is not a whole number from 0 to 100/,
    );
  });
});
