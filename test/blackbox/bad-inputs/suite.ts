import { strict as assert } from 'node:assert';
import { Endpoint, runTaskLikeAgent, visibleOutput } from '../../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../../devkit/agent/vsix';
import { TaskName } from '../../../tasks/common/ledger';
import { BASE, Row, fill, pointAtListener } from './base';
import { RecordingListener } from '../recording-listener';

/**
 * One bad input per row, on top of otherwise valid inputs, run from the packaged task the way the
 * agent runs it: the task must fail before contacting anything (a listener that every endpoint and
 * proxy variable points at records zero connections), with a message naming the input, result
 * Failed, exit code 0 (the agent's Node handler fails any other code: NodeHandler.cs), no stack
 * trace, no record, and no credential of the row in any output line. One file per task
 * (bad-inputs-<task>.test.ts) so that the parallel runner spreads the ~170 task starts over the cores.
 */
function endpointsFor(row: Row, port: number): Record<string, Endpoint> {
  const given = row.endpoints ?? BASE[row.task].endpoints;
  const filled = JSON.parse(fill(JSON.stringify(given), port)) as Record<string, Endpoint>;
  return Object.fromEntries(Object.entries(filled).map(([id, ep]) => [id, pointAtListener(ep, port)]));
}

async function run(
  listener: RecordingListener,
  task: TaskName,
  inputs: Record<string, string>,
  endpoints: Record<string, Endpoint>,
  extra: { secretVariables?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
) {
  const filled = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, fill(v, listener.port)]));
  return runTaskLikeAgent({
    taskDir: packagedTaskDir(task),
    inputs: filled,
    endpoints,
    env: listener.proxyEnv(),
    ...extra,
  });
}

export function describeBadInputs(task: TaskName, rows: Row[]): void {
  describe(`bad inputs are refused before anything is contacted: ${task}`, () => {
    const listener = new RecordingListener();
    let refused = 0;
    before(() => listener.start());
    after(() => listener.stop());

    for (const row of rows) {
      it(`${row.task}: ${row.why}`, async () => {
        const before = listener.connections;
        const r = await run(
          listener,
          row.task,
          { ...BASE[row.task].inputs, ...row.inputs },
          endpointsFor(row, listener.port),
          { secretVariables: row.secretVariables },
        );
        const message = r.resultMessage ?? '';
        assert.equal(r.result, 'Failed', `result ${r.result}: ${r.stdout.slice(-400)}`);
        assert.ok(
          message.includes(`input '${row.input}'`),
          `message does not name '${row.input}': ${message.slice(0, 600)}`,
        );
        if (row.error) assert.match(message, row.error);
        assert.ok(!/\n\s+at /.test(`${r.stdout}\n${r.stderr}`), 'no stack trace');
        assert.equal(r.attachments.length, 0, 'no record: nothing happened');
        assert.equal(listener.connections - before, 0, `contacted something: ${listener.firstBytes.join(' | ')}`);
        if (row.secret) assert.ok(!visibleOutput(r).includes(row.secret), 'the credential is never printed');
        const shown = visibleOutput(r).length;
        assert.ok(shown < 8 * 1024, `${shown} characters of output (setsecret lines aside) for one refused input`);
        assert.equal(r.code, 0, 'exit code 0: the result travels in ##vso[task.complete]');
        refused += 1;
      });
    }

    it(`recorded zero connections for the whole ${task} table`, () => {
      assert.equal(refused, rows.length, 'every row ran');
      assert.equal(listener.connections, 0);
    });

    // Controls: with valid inputs each task does reach the listener, so a zero above means something.
    it(`control: ${task} with valid inputs contacts the listener`, async function () {
      this.timeout(30_000);
      const before = listener.connections;
      const b = BASE[task];
      const endpoints = Object.fromEntries(
        Object.entries(b.endpoints).map(([id, ep]) => [id, pointAtListener(ep, listener.port)]),
      );
      const r = await run(listener, task, b.inputs, endpoints, {
        timeoutMs: 20_000,
        signal: listener.nextConnection(),
      });
      assert.ok(listener.connections > before, `${task} made no connection: ${r.stdout.slice(-600)}`);
    });
  });
}
