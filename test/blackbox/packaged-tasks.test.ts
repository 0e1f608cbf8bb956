import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TASK_NAMES } from '../../devkit/project';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { extractedVsix, packagedTaskDir } from '../../devkit/agent/vsix';

/** Runs every task from the extracted .vsix, as the agent would after installing the extension. */
describe('packaged extension', () => {
  it('holds the five tasks, each a bundle next to its task.json, and no node_modules or sources', () => {
    const root = extractedVsix();
    for (const name of TASK_NAMES) {
      const dir = packagedTaskDir(name);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8'));
      assert.equal(manifest.name, name);
      assert.ok(fs.existsSync(path.join(dir, manifest.execution.Node20_1.target)), `${name} bundle missing`);
      assert.equal(manifest.execution.Node24.target, manifest.execution.Node20_1.target);
    }
    const all: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else all.push(path.relative(root, path.join(d, e.name)));
      }
    };
    walk(root);
    assert.ok(!all.some((f) => f.includes('node_modules')), 'no node_modules in the vsix');
    assert.ok(!all.some((f) => /\.tsx?$/.test(f)), 'no TypeScript sources in the vsix');
  });

  for (const name of TASK_NAMES) {
    it(`${name} starts from the package and fails cleanly on missing inputs`, async () => {
      const run = await runTaskLikeAgent({ taskDir: packagedTaskDir(name) });
      assert.equal(run.result, 'Failed', run.stderr);
      assert.equal(run.result, 'Failed');
      assert.match(run.resultMessage ?? '', /input '\w+': is required\. Set '\w+'/);
      assert.equal(run.stderr, '', 'nothing on stderr');
      assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(run.stdout), 'no stack trace');
      assert.equal(run.attachments.length, 0, 'invalid input changes nothing and records nothing');
    });
  }

  it('prints a stack trace for unexpected errors only with System.Debug (and never for input errors)', async () => {
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('SmokeTest'),
      variables: { 'System.Debug': 'true' },
    });
    assert.equal(run.result, 'Failed');
    assert.ok(!/\n\s+at /.test(run.resultMessage ?? ''));
  });

  it('keeps a secret input out of everything it prints or writes, debug on', async () => {
    const secret = 'Adm1nPassw0rd%$"\\é';
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('OracleDbProvision'),
      inputs: {
        target: 'ociApi',
        action: 'wallet',
        compartmentId: 'bad',
        displayName: 'orders',
        adminPassword: secret,
        walletPassword: secret,
      },
      variables: { 'System.Debug': 'true' },
    });
    assert.equal(run.result, 'Failed');
    assert.ok(run.secrets.includes(secret), 'the secret was registered with the agent');
    const visible = visibleOutput(run);
    for (const form of [
      secret,
      Buffer.from(secret).toString('base64'),
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
    ]) {
      assert.ok(!visible.includes(form), `leaked ${form}`);
    }
  });
});
