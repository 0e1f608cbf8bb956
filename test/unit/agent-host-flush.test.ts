import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

/**
 * The lost ##vso[task.complete] line: with stdout a pipe, a write larger than the pipe buffer
 * (64 KiB on Linux) is partly queued by libuv, and process.exit() right after it dropped the queue
 * and the result line after it. The host now exits from the write callbacks. The reader here is
 * slow on purpose (it starts reading after 300 ms), as the agent is when busy.
 */
function runChild(): Promise<string> {
  const host = path.join(__dirname, '..', '..', 'tasks', 'common', 'agent-host.js');
  const script = `
    const { createAgentHost } = require(${JSON.stringify(host)});
    const h = createAgentHost();
    h.info('x'.repeat(300 * 1024));
    h.setResult('Failed', 'y'.repeat(100 * 1024));
    h.exit(0);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  setTimeout(() => child.stdout.resume(), 300);
  return new Promise((resolve) => child.on('close', () => resolve(out)));
}

describe('agent host output', () => {
  it('writes every byte, the task.complete line last, even when the reader is slow', async () => {
    const out = await runChild();
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0].length, 300 * 1024, 'the long line whole');
    assert.match(
      lines[lines.length - 1],
      /^##vso\[task\.complete result=Failed;done=true;\]y+… \(message cut: 102400 characters\)$/,
    );
  });

  it('writes the result message once per command and caps it at 8 KiB', async () => {
    const out = await runChild();
    const complete = out.split('\n').find((l) => l.startsWith('##vso[task.complete'))!;
    assert.ok(complete.length < 9 * 1024, `${complete.length}`);
  });
});
