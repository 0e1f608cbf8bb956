import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentRunOptions, AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { processLine, newStepState, tryParseCommand } from '../../devkit/agent/command-processor';
import { rootFilePathInput } from '../../devkit/agent/file-path';
import { SecretMasker } from '../../devkit/agent/secret-masker';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { issueCert } from '../../devkit/support/test-ca';
import { TestService, startService } from '../../devkit/stand-ins/smoke-service';
import { abortWhen } from '../../devkit/agent/abort-when';

/**
 * Issue 20, rows 1, 2, 3 and 12, through the model of the agent (devkit/agent): each test fails
 * against the tasks as they were before the fix.
 */
function smoke(opts: Omit<AgentRunOptions, 'taskDir'>): Promise<AgentRunResult> {
  return runTaskLikeAgent({ taskDir: packagedTaskDir('SmokeTest'), timeoutMs: 30_000, ...opts });
}

const detail = (r: AgentRunResult): string => `${r.agentErrors.join('\n')}\n${r.stdout}\n${r.stderr}`;

describe('agent model: what the agent does with a task (from its source)', () => {
  it('roots filePath inputs: empty → the repository (build) or the artifacts directory (release)', () => {
    assert.equal(rootFilePathInput('', '/w/1/s'), '/w/1/s');
    assert.equal(rootFilePathInput('checks/smoke.yml', '/w/1/s'), '/w/1/s/checks/smoke.yml');
    assert.equal(rootFilePathInput('/etc/checks.yml', '/w/1/s'), '/etc/checks.yml');
  });

  it('recognises ##vso[ anywhere in a line, also with characters ICU ignores in between', () => {
    assert.equal(tryParseCommand('prefix text ##vso[build.addbuildtag]x')?.command, 'build.addbuildtag');
    assert.equal(tryParseCommand('#\u200B#vso[task.complete result=Succeeded]')?.command, 'task.complete');
    assert.equal(tryParseCommand('# #vso[task.complete result=Succeeded]'), undefined);
    assert.equal(tryParseCommand('##vso[nodot]x'), undefined, 'area.event must have two parts');
  });

  it('refuses a task.complete result outside the TaskResult enum and fails the step', () => {
    const state = newStepState();
    processLine(state, '##vso[task.complete result=Cancelled;done=true]stopped', new SecretMasker(), new Set());
    assert.equal(state.result, undefined);
    assert.equal(state.commandFailed, true);
    assert.match(
      state.agentErrors[0],
      /^Unable to process command '##vso\[task\.complete result=Cancelled;done=true\]stopped' successfully\./,
    );
    const ok = newStepState();
    processLine(ok, '##vso[task.complete result=Canceled;done=true]stopped', new SecretMasker(), new Set());
    assert.deepEqual([ok.result, ok.agentErrors], ['Canceled', []]);
  });

  it('masks secrets and their encodings; a setvariable without issecret makes a secret public', () => {
    const masker = new SecretMasker();
    masker.addUserSecret('p@ss word/1');
    const state = newStepState();
    const names = new Set(['DB_PASSWORD']);
    for (const line of [
      'a p@ss word/1 b',
      'url p%40ss%20word%2F1',
      'b64 cEBzcyB3b3JkLzE=',
      '##vso[task.setvariable variable=db.password;issecret=false]x',
    ]) {
      processLine(state, line, masker, names);
    }
    assert.deepEqual(state.log.slice(0, 3), ['a *** b', 'url ***', 'b64 ***']);
    assert.deepEqual(state.madePublic, ['db.password']);
  });
});

describe('agent model: packaged SmokeTest (issue 20 rows 1, 2, 3, 12)', function () {
  this.timeout(60_000);
  let svc: TestService;
  before(async () => {
    svc = await startService({ tls: issueCert({ days: 30 }) });
  });
  after(() => svc.close());

  const inline = '- { name: health, path: /healthz }\n';

  it('row 1: inline checks work although the agent sends the empty checksFile as the repository path', async () => {
    for (const hostType of ['build', 'release'] as const) {
      const r = await smoke({ hostType, inputs: { baseUrl: svc.url, checks: inline } });
      assert.equal(r.inputs.checksFile, r.sourcesDir, 'the model passes the rooted path, as the agent does');
      assert.equal(r.stepResult, 'Succeeded', `${hostType}: ${detail(r)}`);
    }
  });

  it('row 1: a relative checksFile is read from the repository', async () => {
    const probe = await smoke({ inputs: { baseUrl: svc.url, checksFile: 'ci/smoke.yml' } });
    assert.equal(probe.inputs.checksFile, path.join(probe.sourcesDir, 'ci/smoke.yml'));
    assert.equal(probe.stepResult, 'Failed', 'no such file in a fresh repository');
    assert.match(probe.resultMessage ?? '', /checksFile/);
  });

  it('row 2: a failed step reports Failed once, with exit code 0 and no extra agent error', async () => {
    const r = await smoke({ inputs: { baseUrl: svc.url, checks: '- { name: broken, path: /error }\n' } });
    assert.equal(r.code, 0, detail(r));
    assert.equal(r.stepResult, 'Failed');
    assert.deepEqual(r.agentErrors, []);
  });

  it('row 2: invalid input also exits 0 with the result in task.complete', async () => {
    const r = await smoke({ inputs: { baseUrl: 'not a url', checks: inline } });
    assert.deepEqual([r.code, r.result, r.agentErrors], [0, 'Failed', []]);
  });

  it('row 3: a cancelled run reports Canceled, which the agent accepts', async () => {
    // Cancelled once the hung request reached the service (not after a fixed delay a slow start can outlast).
    const slow = svc.hits.get('/slow') ?? 0;
    const cancel = abortWhen(() => (svc.hits.get('/slow') ?? 0) > slow);
    const r = await smoke({
      inputs: { baseUrl: svc.url, checks: '- { name: hung, path: "/slow?ms=20000" }\n' },
      signal: cancel.signal,
    }).finally(() => cancel.dispose());
    assert.ok(cancel.signal.aborted, 'the hung request reached the service');
    assert.deepEqual([r.result, r.stepResult, r.agentErrors], ['Canceled', 'Canceled', []], detail(r));
  });

  it('row 12: summary sections carry readable titles, not file names or UUIDs', async () => {
    const r = await smoke({ inputs: { baseUrl: svc.url, checks: inline } });
    assert.ok(r.summarySections.length >= 2, detail(r));
    for (const s of r.summarySections) {
      assert.doesNotMatch(s.title, /[0-9a-f]{8}-[0-9a-f]{4}-|\.md$/i, s.title);
      assert.ok(fs.existsSync(s.path));
    }
    assert.ok(
      r.summarySections.some((s) => /^Smoke test/i.test(s.title)),
      r.summarySections.map((s) => s.title).join(', '),
    );
  });

  it('row 12: an output named like a secret variable stays secret (issecret upgraded as task-lib does)', async () => {
    const r = await smoke({
      inputs: { baseUrl: svc.url, checks: inline },
      secretVariables: { passed: 'hidden-count' },
    });
    assert.equal(r.stepResult, 'Succeeded', detail(r));
    assert.deepEqual(r.madePublic, []);
  });
});
