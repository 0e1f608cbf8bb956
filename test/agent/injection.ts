import * as assert from 'node:assert/strict';
import { AgentRunResult } from '../../devkit/agent/agent-run';
import { prop } from '../../devkit/agent/command-processor';
import { INJECTED } from '../../devkit/stand-ins/hostile-service';
import { LEDGER_BUILD_TAG } from '../../tasks/common/record/schema';

/** The commands our agent host issues; anything else the agent recognised came from outside. */
const OURS = new Set([
  'task.issue',
  'task.debug',
  'task.complete',
  'task.setvariable',
  'task.setsecret',
  'task.addattachment',
  'results.publish',
]);

/** No command the agent would run, and no ##[ formatting, came from a service's text. */
export function assertNoInjection(run: AgentRunResult, label: string): void {
  const where = `${label}\n${run.stdout}\n${run.stderr}`;
  for (const c of run.commands) {
    // Our one build tag (tasks/common/runner.ts, for the hub's tagFilters) is ours only with exactly our tag.
    const ourTag = c.command === 'build.addbuildtag' && c.message === LEDGER_BUILD_TAG;
    assert.ok(OURS.has(c.command) || ourTag, `${label}: the agent ran ${c.command} from: ${c.line}`);
    assert.equal(c.column, 0, `${label}: a command found mid-line: ${c.line}`);
    assert.ok(!(prop(c, 'variable') ?? '').includes(INJECTED), `${label}: injected variable`);
    assert.ok(!c.message.startsWith(INJECTED), `${label}: injected ${c.command}: ${c.line}`);
  }
  assert.equal(
    run.commands.filter((c) => c.command === 'task.complete').length,
    1,
    `${label}: one task.complete\n${where}`,
  );
  assert.deepEqual(run.formatted, [], `${label}: ##[ formatting from a service`);
  assert.deepEqual(run.agentErrors, [], `${label}: agent errors`);
}

/** The service's text did reach the output (neutralised): the test exercises the printing paths. */
export function assertServiceTextShown(run: AgentRunResult, label: string): void {
  assert.ok(
    `${run.stdout}${run.stderr}`.includes(INJECTED),
    `${label}: the service's error text is not shown at all\n${run.stdout}`,
  );
}
