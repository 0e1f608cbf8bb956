import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerRecord } from '../../tasks/common/ledger';
import { runTask } from '../../tasks/common/runner';
import { createDefinition } from '../../tasks/SmokeTest/definition';
import { parseVsoCommands } from '../../devkit/agent/vso';
import { RecordingHost } from '../../devkit/agent/recording-host';
import { TestService, closedPort, startService } from '../../devkit/stand-ins/smoke-service';

/** In-process runs of the task definition through the shared runner, with a recording host. */
function host(
  inputs: Record<string, string>,
  variables: Record<string, string> = {},
  secretVariables: Record<string, string> = {},
): RecordingHost {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-task-'));
  return new RecordingHost(
    inputs,
    { 'Agent.TempDirectory': tempDir, 'System.DefaultWorkingDirectory': tempDir, 'Build.BuildId': '77', ...variables },
    {},
    secretVariables,
  );
}

function ledger(h: RecordingHost): LedgerRecord {
  const att = h.attachments.find((a) => a.type === 'multicloud-devsecops.ledger');
  assert.ok(att, 'a ledger record was attached');
  return JSON.parse(fs.readFileSync(att.path, 'utf8')) as LedgerRecord;
}

function published(h: RecordingHost): { file: string; title: string } | undefined {
  const cmd = parseVsoCommands(h.lines.join('\n')).find((c) => c.command === 'results.publish');
  return cmd ? { file: cmd.properties.resultFiles, title: cmd.properties.runTitle } : undefined;
}

describe('SmokeTest task (in-process)', function () {
  this.timeout(20_000);
  let svc: TestService;
  before(async () => {
    svc = await startService({ token: 'tok-in-process-1' });
  });
  after(() => svc.close());

  it('passes, sets outputs, records every check and publishes JUnit', async () => {
    const h = host({
      baseUrl: `${svc.url}/?code=fn-key-abc`,
      checks:
        '- { name: health, path: /healthz, expect: { json: { $.status: UP } } }\n- { name: slow, path: "/slow?ms=50" }\n',
    });
    const code = await runTask(createDefinition(), h);
    assert.equal(code, 0, h.result?.message);
    assert.equal(h.result?.result, 'Succeeded');
    assert.match(
      h.result?.message ?? '',
      /^2 of 2 check\(s\) passed against http:\/\/127\.0\.0\.1:\d+ \(p95 \d+ ms\)\.$/,
    );
    assert.deepEqual(Object.keys(h.outputs).sort(), ['failed', 'p95Ms', 'passed']);
    assert.equal(h.outputs.passed, '2');
    assert.equal(h.outputs.failed, '0');
    assert.ok(Number(h.outputs.p95Ms) >= 50);
    const rec = ledger(h);
    assert.equal(rec.status, 'succeeded');
    assert.equal(rec.target, svc.url, 'no query string (it may hold a key) in the target');
    assert.equal((rec.details.checks as unknown[]).length, 2);
    assert.equal(rec.details.p95Ms, Number(h.outputs.p95Ms));
    assert.ok(h.secrets.includes('fn-key-abc'), 'a key in the base URL query is registered');
    const pub = published(h);
    assert.ok(pub, 'results.publish emitted');
    assert.equal(pub.title, `Smoke tests: ${svc.url}`);
    const xml = fs.readFileSync(pub.file, 'utf8');
    assert.match(
      xml,
      /<testsuite name="Smoke tests: http:\/\/127\.0\.0\.1:\d+" tests="2" failures="0" errors="0" skipped="0"/,
    );
    assert.equal(h.summaries.length, 2, 'the runner summary and the per-check table');
    assert.match(
      fs.readFileSync(h.summaries[0], 'utf8'),
      /\| ✅ \| slow \| GET http:\/\/127\.0\.0\.1:\d+\/slow\?code=\\\*\\\*\\\*&amp;ms=50 \|/,
    );
    assert.match(
      fs.readFileSync(h.summaries[0], 'utf8'),
      /\| ✅ \| health \| GET http:\/\/127\.0\.0\.1:\d+\/healthz\?code=\\\*\\\*\\\* \| 200 \|/,
    );
  });

  it('fails naming the check, the expectation and what came back; outputs are still set', async () => {
    const h = host({
      baseUrl: svc.url,
      checks: '- { name: health, path: /healthz }\n- { name: broken, path: /error }\n',
      publishJUnit: 'false',
    });
    const code = await runTask(createDefinition(), h);
    assert.equal(code, 0, 'the agent needs exit code 0');
    assert.equal(h.result?.result, 'Failed');
    assert.equal(h.result?.result, 'Failed');
    assert.match(
      h.result?.message ?? '',
      /^SmokeTest failed: 1 of 2 check\(s\) passed against .*\n- check 'broken' \(GET http:\/\/127\.0\.0\.1:\d+\/error, status 500, \d+ ms\) assertion failed: expected status 2xx, got 500; body: internal error: database connection refused/,
    );
    assert.deepEqual({ passed: h.outputs.passed, failed: h.outputs.failed }, { passed: '1', failed: '1' });
    assert.equal(published(h), undefined, 'publishJUnit=false publishes nothing');
    assert.equal(ledger(h).status, 'failed');
  });

  it('says "unreachable" (not "failed") when nothing answers', async () => {
    const port = await closedPort();
    const h = host({ baseUrl: `http://127.0.0.1:${port}`, checks: '- { name: health, path: /healthz }\n' });
    await runTask(createDefinition(), h);
    assert.match(
      h.result?.message ?? '',
      /^SmokeTest: http:\/\/127\.0\.0\.1:\d+ is unreachable \(1 of 1 check\(s\) got no response\):\n- check 'health' .* unreachable: .*ECONNREFUSED.*Check that the service is deployed/s,
    );
  });

  it('succeeds with issues when failures stay within maxFailureRate', async () => {
    const h = host({
      baseUrl: svc.url,
      maxFailureRate: '0.5',
      checks: '- { name: a, path: /healthz }\n- { name: b, path: /error }\n',
    });
    assert.equal(await runTask(createDefinition(), h), 0);
    assert.equal(h.result?.result, 'SucceededWithIssues');
    assert.ok(
      h.lines.some((l) => /^warning: check 'b' .*expected status 2xx, got 500/.test(l)),
      h.lines.join('\n'),
    );
  });

  it('rejects bad checks as an input error before sending any request', async () => {
    const before = svc.hits.get('/healthz') ?? 0;
    const h = host({
      baseUrl: svc.url,
      checks:
        '- { name: ok, path: /healthz }\n- { name: bad, path: /healthz, expect: { status: 2xy, json: { "status": 1 } } }\n',
    });
    assert.equal(await runTask(createDefinition(), h), 0, 'exit code 0: the result is in task.complete');
    assert.equal(h.result?.result, 'Failed');
    assert.match(
      h.result?.message ?? '',
      /input 'checks': 2 problems in the checks:\n- check 'bad': expect.status: '2xy' is not a status.*\n- check 'bad': expect.json\['status'\].path: 'status' does not start with \$/,
    );
    assert.equal(svc.hits.get('/healthz') ?? 0, before);
    assert.equal(h.attachments.length, 0);
  });

  it('rejects certificateValidDays on a plain-HTTP base URL as an input error, recording nothing', async () => {
    const h = host({
      baseUrl: svc.url,
      checks: '- { name: cert, path: /healthz, expect: { certificateValidDays: 14 } }\n',
    });
    assert.equal(await runTask(createDefinition(), h), 0, 'exit code 0: the result is in task.complete');
    assert.equal(h.result?.result, 'Failed');
    assert.match(
      h.result?.message ?? '',
      /^input 'checks': check 'cert': expect.certificateValidDays needs an https URL, but the check calls http\. Call the service over HTTPS/,
    );
    assert.equal(h.attachments.length, 0);
  });

  it('expands $(variables) in a checks file and masks secret ones everywhere', async () => {
    const secret = 'tok-in-process-1';
    const h = host({ baseUrl: svc.url, checksFile: 'smoke.yml' }, { 'Build.BuildId': '77' }, { 'api.token': secret });
    fs.writeFileSync(
      path.join(h.variable('System.DefaultWorkingDirectory')!, 'smoke.yml'),
      [
        '- name: auth',
        '  path: /auth',
        '  headers: { Authorization: Bearer $(api.token) }',
        '- name: echo',
        '  path: /echo?build=$(Build.BuildId)',
        '  headers: { X-Token: $(api.token) }',
        '  expect: { body: { notContains: "$(api.token)" } }',
      ].join('\n'),
    );
    const code = await runTask(createDefinition(), h);
    assert.equal(code, 0, 'the agent needs exit code 0');
    assert.equal(h.result?.result, 'Failed', 'the echo check fails: the service echoed the token');
    assert.equal(svc.lastHeaders.get('/auth')?.authorization, `Bearer ${secret}`, 'the secret was sent');
    assert.ok(h.secrets.includes(secret), 'registered with the agent');
    const files = [...h.summaries, ...h.attachments.map((a) => a.path), published(h)!.file].map((f) =>
      fs.readFileSync(f, 'utf8'),
    );
    const visible = [...h.lines, h.result?.message ?? '', ...files].join('\n');
    assert.ok(visible.includes('***'), 'the echoed token shows as ***');
    assert.ok(!visible.includes(secret), 'the token appears nowhere');
  });
});
