import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskError } from '../../tasks/common/errors';
import { LEDGER_ATTACHMENT_TYPE, LedgerRecord } from '../../tasks/common/ledger';
import { TaskManifest } from '../../tasks/common/manifest';
import { TaskContext, TaskDefinition, TaskOutcome, runTask } from '../../tasks/common/runner';
import { sleep } from '../../tasks/common/sleep';
import { RecordingHost } from '../../devkit/agent/recording-host';

const manifest: TaskManifest = {
  id: '00000000-0000-0000-0000-000000000001',
  name: 'SmokeTest',
  friendlyName: 'Sample',
  version: { Major: 1, Minor: 2, Patch: 3 },
  inputs: [
    { name: 'target', type: 'string', label: 'Target', required: true },
    { name: 'token', type: 'string', label: 'Token' },
    { name: 'timeoutSeconds', type: 'string', label: 'Timeout', defaultValue: '30' },
  ],
};

interface Options {
  target: string;
  token?: string;
  timeoutMs: number;
}

function definition(execute: (ctx: TaskContext, o: Options) => Promise<TaskOutcome>): TaskDefinition<Options> {
  return {
    manifest,
    readOptions: (inputs) => ({
      target: inputs.string('target', { pattern: /^[a-z]+$/, expected: 'lower-case letters' }),
      token: inputs.secret('token'),
      timeoutMs: inputs.number('timeoutSeconds', { min: 0.1, max: 600 }) * 1000,
    }),
    timeout: (o) => ({ ms: o.timeoutMs, input: 'timeoutSeconds' }),
    execute,
  };
}

function host(inputs: Record<string, string>, variables: Record<string, string> = {}): RecordingHost {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-'));
  return new RecordingHost(inputs, {
    'Agent.TempDirectory': tempDir,
    'Build.BuildId': '77',
    'System.StageName': 'qa',
    ...variables,
  });
}

function record(h: RecordingHost): LedgerRecord {
  assert.equal(h.attachments.length, 1);
  assert.equal(h.attachments[0].type, LEDGER_ATTACHMENT_TYPE);
  return JSON.parse(fs.readFileSync(h.attachments[0].path, 'utf8')) as LedgerRecord;
}

describe('runTask', () => {
  it('sets outputs, writes one record and succeeds with exit code 0', async () => {
    const h = host({ target: 'shop' });
    const code = await runTask(
      definition(async (ctx, o) => {
        ctx.record.target = o.target;
        ctx.record.details.checks = 3;
        return { message: 'all good', outputs: { passed: '3' } };
      }),
      h,
    );
    assert.equal(code, 0);
    assert.equal(h.exitCode, 0);
    assert.deepEqual(h.result, { result: 'Succeeded', message: 'all good' });
    assert.deepEqual(h.outputs, { passed: '3' });
    const r = record(h);
    assert.equal(r.status, 'succeeded');
    assert.equal(r.taskVersion, '1.2.3');
    assert.equal(r.run.buildId, '77');
    assert.equal(r.environment, 'qa');
    assert.equal(r.details.checks, 3);
    assert.equal(h.summaries.length, 1);
    // The hub lists runs by this tag (build/builds?tagFilters=multicloud-devsecops).
    assert.deepEqual(h.buildTags, ['multicloud-devsecops']);
  });

  it('fails invalid input before executing anything and writes no record', async () => {
    let executed = false;
    const h = host({ target: 'Not Valid' });
    const code = await runTask(
      definition(async () => {
        executed = true;
        return { message: '' };
      }),
      h,
    );
    assert.equal(code, 0, 'the agent needs exit code 0');
    assert.equal(h.result?.result, 'Failed');
    assert.equal(executed, false);
    assert.equal(h.result?.result, 'Failed');
    assert.match(h.result.message, /input 'target': 'Not Valid' is not valid\. Expected lower-case letters\./);
    assert.equal(h.attachments.length, 0);
    assert.deepEqual(h.buildTags, [], 'nothing happened: no tag');
  });

  it('reports a task error as one clean message, no stack trace, and records the failure', async () => {
    const h = host({ target: 'shop', token: 'tok-3141592' });
    await runTask(
      definition(async (_ctx, o) => {
        throw new TaskError(`the service rejected token ${o.token}.`, 'Rotate it.');
      }),
      h,
    );
    assert.equal(h.result?.result, 'Failed');
    assert.equal(h.result?.message, 'the service rejected token ***. Rotate it.');
    assert.ok(h.secrets.includes('tok-3141592'), 'the secret input was registered');
    const r = record(h);
    assert.equal(r.status, 'failed');
    assert.equal(r.error, 'the service rejected token ***. Rotate it.');
  });

  it('shows the stack of an unexpected error only when System.Debug is true', async () => {
    const boom = definition(async () => {
      throw new TypeError('x is undefined');
    });
    const quiet = host({ target: 'shop' });
    await runTask(boom, quiet);
    assert.equal(quiet.result?.message, 'x is undefined');
    const verbose = host({ target: 'shop' }, { 'System.Debug': 'true' });
    await runTask(boom, verbose);
    assert.match(verbose.result!.message, /x is undefined\n\s*TypeError: x is undefined\n\s+at /);
  });

  it('aborts the task at its timeout input and names that input', async () => {
    const h = host({ target: 'shop', timeoutSeconds: '0.2' });
    let sawAbort = false;
    const code = await runTask(
      definition(async (ctx) => {
        try {
          await sleep(10_000, ctx.signal);
        } catch (err) {
          sawAbort = true;
          throw err;
        }
        return { message: 'unreachable' };
      }),
      h,
    );
    assert.equal(code, 0, 'the agent needs exit code 0');
    assert.equal(h.result?.result, 'Failed');
    assert.ok(sawAbort, 'the work saw the abort signal');
    assert.match(h.result.message, /did not finish within 0 s\. Raise the 'timeoutSeconds' input/);
    assert.equal(record(h).status, 'failed');
  });

  it('gives up on work that ignores its signal shortly after the deadline', async () => {
    const h = host({ target: 'shop', timeoutSeconds: '0.1' });
    const started = Date.now();
    await runTask(
      definition(() => new Promise<TaskOutcome>(() => undefined)),
      h,
    );
    assert.equal(h.result?.result, 'Failed');
    assert.ok(Date.now() - started < 6000);
  });

  it('maps SucceededWithIssues through', async () => {
    const h = host({ target: 'shop' });
    await runTask(
      definition(async () => ({ status: 'succeededWithIssues', message: 'lock skipped' })),
      h,
    );
    assert.deepEqual(h.result, { result: 'SucceededWithIssues', message: 'lock skipped' });
    assert.equal(h.exitCode, 0);
    assert.equal(record(h).status, 'succeededWithIssues');
  });
  it("lets more than ten requests listen to the run's signal without a MaxListenersExceededWarning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const h = host({ target: 'shop' });
      await runTask(
        definition(async (ctx) => {
          // A promotion's six blob transfers, each a GET and an upload, and their HEADs: one signal for all.
          const listeners = Array.from({ length: 24 }, () => () => undefined);
          for (const l of listeners) ctx.signal.addEventListener('abort', l);
          for (const l of listeners) ctx.signal.removeEventListener('abort', l);
          return { message: 'done' };
        }),
        h,
      );
      await new Promise((r) => setImmediate(r));
      assert.equal(h.result?.result, 'Succeeded');
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
