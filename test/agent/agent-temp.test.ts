import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { packagedTaskDir } from '../../devkit/agent/vsix';

const run = promisify(execFile);

/** A pid no process has now: one of a process that ran and exited. */
async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('run-like-the-agent: agent folders do not pile up in the temp directory', function () {
  this.timeout(60_000);

  it("a process removes its runs' folders when it exits, and those of processes that are gone", async () => {
    const stale = path.join(os.tmpdir(), `mcdso-proc-${await deadPid()}-stale`);
    fs.mkdirSync(path.join(stale, 'run-x', 's'), { recursive: true });
    fs.writeFileSync(path.join(stale, 'run-x', 'record.json'), '{}');
    // A live process's folder (this one's pid) must be left alone by another process.
    const mine = fs.mkdtempSync(path.join(os.tmpdir(), `mcdso-proc-${process.pid}-`));
    try {
      const agentRun = path.join(__dirname, '..', '..', 'devkit', 'agent', 'agent-run.js');
      // Two runs of the packaged task (inputs missing: it fails fast and contacts nothing), in a process of its own.
      const script = `
        const { runTaskLikeAgent } = require(${JSON.stringify(agentRun)});
        (async () => {
          const dirs = [];
          for (let i = 0; i < 2; i++) {
            const r = await runTaskLikeAgent({ taskDir: ${JSON.stringify(packagedTaskDir('SmokeTest'))} });
            if (r.result !== 'Failed') throw new Error('expected a failed run, got ' + r.result);
            if (!require('node:fs').existsSync(r.tempDir)) throw new Error('the folder is gone before the run returned');
            dirs.push(r.tempDir);
          }
          console.log(JSON.stringify(dirs));
        })();`;
      const child = await run(process.execPath, ['-e', script]);
      const dirs = JSON.parse(child.stdout) as string[];
      assert.equal(new Set(dirs.map((d) => path.dirname(d))).size, 1, 'both runs under one folder of the process');
      assert.match(path.basename(path.dirname(dirs[0])), /^mcdso-proc-\d+-/);
      for (const d of [...dirs, path.dirname(dirs[0])]) assert.equal(fs.existsSync(d), false, `${d} left behind`);
      assert.equal(fs.existsSync(stale), false, 'the folder of a process that is gone was not removed');
      assert.equal(fs.existsSync(mine), true, "a live process's folder was removed");
    } finally {
      fs.rmSync(stale, { recursive: true, force: true });
      fs.rmSync(mine, { recursive: true, force: true });
    }
  });
});
