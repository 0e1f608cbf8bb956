import * as path from 'node:path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';

/**
 * The script MockTestRunner spawns: runs one task's unbundled entry (out/tasks/<Name>/index.js)
 * under task-lib's mock runner, with the inputs the test put in L0_INPUTS.
 */
const task = process.env.L0_TASK ?? '';
const inputs = JSON.parse(process.env.L0_INPUTS ?? '{}') as Record<string, string>;
const runner = new TaskMockRunner(path.join(__dirname, '..', '..', 'tasks', task, 'index.js'));
for (const [name, value] of Object.entries(inputs)) runner.setInput(name, value);
// noMockTask: the tasks talk to the agent through their own host, not task-lib, so there is
// nothing to mock; loading mock-task would move the inputs into task-lib's vault first.
runner.run(true);
