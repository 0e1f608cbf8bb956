import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../devkit/project';
import { MissingToolError, requireTool } from '../../devkit/support/system-tool';
import { StandInError, startNamed } from '../../devkit/stand-ins/demo-stand-ins';

/** scripts/system-deps.js: the one step `npm test`, `npm run demo` and .ci/run take first (issue 19). */
describe('system dependency step', () => {
  const script = path.join(ROOT, 'scripts', 'system-deps.js');
  let dir: string;
  let aptLog: string;
  let fakeApt: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-sysdeps-'));
    aptLog = path.join(dir, 'apt.log');
    fakeApt = path.join(dir, 'apt-get');
    // Records each call; exits with $FAKE_APT_EXIT (default 0).
    fs.writeFileSync(fakeApt, `#!/bin/sh\necho "$@" >> '${aptLog}'\nexit \${FAKE_APT_EXIT:-0}\n`, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (command: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [script, command], {
      encoding: 'utf8',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', MCDSO_SYSDEPS_APT: fakeApt, ...env },
    });
  const aptCalls = (): string[] => (fs.existsSync(aptLog) ? fs.readFileSync(aptLog, 'utf8').trim().split('\n') : []);

  it('does nothing and says so when every package is present', () => {
    const result = run('test', {});
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /system packages for 'test': all present \(docker-registry, skopeo, openssl, chromium, prometheus\)/,
    );
    assert.deepEqual(aptCalls(), []);
  });

  it('without root, stops with one line naming the missing packages and the exact command', () => {
    const result = run('demo', { MCDSO_SYSDEPS_PRETEND_MISSING: 'skopeo,docker-registry', MCDSO_SYSDEPS_AS_ROOT: '0' });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'missing system packages: docker-registry skopeo. Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends docker-registry skopeo\n',
    );
    assert.deepEqual(aptCalls(), []);
  });

  it('as root, installs only the missing packages with apt-get, non-interactively', () => {
    const result = run('ci', { MCDSO_SYSDEPS_PRETEND_MISSING: 'chromium', MCDSO_SYSDEPS_AS_ROOT: '1' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(aptCalls(), ['update -qq', 'install -y -qq --no-install-recommends chromium']);
    assert.match(result.stdout, /installed chromium in \d+ s/);
  });

  it('says why when apt-get fails, with the command to run by hand, and no stack', () => {
    const result = run('test', {
      MCDSO_SYSDEPS_PRETEND_MISSING: 'prometheus',
      FAKE_APT_EXIT: '100',
      MCDSO_SYSDEPS_AS_ROOT: '1',
    });
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^could not install system packages \(.*apt-get update exited with 100.*\)\. Install them with: apt-get update && apt-get install -y --no-install-recommends prometheus\n$/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('refuses an unknown command', () => {
    const result = run('deploy', {});
    assert.equal(result.status, 2);
    assert.match(result.stderr, /say which command needs the packages: demo, test, ci/);
  });
});

describe('devkit tool and stand-in start-up', () => {
  it('names a missing tool and its Debian package in one line', () => {
    assert.throws(
      () => requireTool('mcdso-no-such-tool', 'mcdso-pkg'),
      (err: unknown) => {
        assert.ok(err instanceof MissingToolError);
        assert.equal(err.message.split('\n').length, 1);
        assert.match(
          err.message,
          /mcdso-no-such-tool is not installed \(Debian package 'mcdso-pkg'\).*apt-get install -y mcdso-pkg/,
        );
        return true;
      },
    );
    assert.ok(fs.existsSync(requireTool('sh')));
  });

  it('reports each stand-in, and when one cannot start names it and stops the others', async () => {
    const lines: string[] = [];
    const stopped: string[] = [];
    const starter = (name: string, fail?: string) => ({
      label: name,
      start: async () => {
        if (fail) throw new Error(fail);
        return name;
      },
      stop: async (v: string) => void stopped.push(v),
    });
    await assert.rejects(
      startNamed({ a: starter('alpha'), b: starter('beta', 'port 5000 in use'), c: starter('gamma') }, (l) =>
        lines.push(l),
      ),
      (err: unknown) =>
        err instanceof StandInError &&
        /beta: port 5000 in use/.test(err.message) &&
        /others were stopped/.test(err.message),
    );
    assert.deepEqual(stopped.sort(), ['alpha', 'gamma']);
    assert.ok(lines.some((l) => /✘ beta could not start: port 5000 in use/.test(l)));
    assert.ok(lines.some((l) => /✔ alpha \(\d+ ms\)/.test(l)));

    const ok = await startNamed({ a: starter('alpha') }, () => undefined);
    assert.equal(ok.started.a, 'alpha');
  });
});
