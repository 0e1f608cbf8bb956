import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { taskJsonProblems } from '../../devkit/agent/task-json-rules';
import { ROOT, TASK_NAMES } from '../../devkit/project';

/** Issue 20 row 11: every task.json follows the rules of the official tasks.schema.json. */
describe('task.json against the rules of tasks.schema.json', () => {
  const read = (task: string): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', task, 'task.json'), 'utf8'));

  for (const task of TASK_NAMES) {
    it(`${task}: no rule broken`, () => {
      assert.deepEqual(taskJsonProblems(read(task)), []);
    });
  }

  it('finds what the schema refuses: a 41-character friendlyName, resizable as a string, unknown fields and handlers', () => {
    const task = read('SmokeTest');
    const bad = JSON.parse(JSON.stringify(task)) as Record<string, any>;
    bad.friendlyName = 'Sync Azure Key Vault secrets to OCI Vault';
    bad.inputs[1].properties = { resizable: 'true', rows: 'ten' };
    bad.inputs[0].validation = {};
    bad.category = 'Deployment';
    bad.execution.Node18 = { target: 'x.js' };
    bad.id = 'not-a-guid';
    bad.outputVariables.push({ name: '1st' });
    const problems = taskJsonProblems(bad);
    for (const expected of [
      /friendlyName: .* is 41 characters; at most 40/,
      /inputs\[1\]\.properties\.resizable: must be a boolean/,
      /inputs\[1\]\.properties\.rows: must match/,
      /inputs\[0\]: property 'validation' is not allowed/,
      /category: 'Deployment' is not one of/,
      /handler 'Node18' is not one of/,
      /task\.id: 'not-a-guid' is not a GUID/,
      /outputVariables\[\d\]\.name: must match/,
    ]) {
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} in:\n${problems.join('\n')}`,
      );
    }
  });

  it('the agent model refuses to run a task whose task.json breaks the rules', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'build', 'bad-task-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'task.json'),
        JSON.stringify({ ...read('SmokeTest'), friendlyName: 'x'.repeat(41) }),
      );
      await assert.rejects(runTaskLikeAgent({ taskDir: dir }), /friendlyName: .* is 41 characters/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
