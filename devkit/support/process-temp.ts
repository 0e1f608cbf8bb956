import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A fresh folder for one run (an agent run's Agent.TempDirectory, an in-process task's), under one folder per
 * process that is removed when the process exits: callers read a run's records and summaries after it ends,
 * so a run cannot remove its own. Mocha's parallel workers may be killed rather than exit, so the first call
 * in a process also removes the folders of processes that are gone (20,906 agent folders, 11 GB, had piled up
 * in /tmp before).
 */
export function processTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(processDir(), prefix));
}

const PROCESS_DIR = /^mcdso-proc-(\d+)-/;
let made: string | undefined;

function processDir(): string {
  if (made) return made;
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = PROCESS_DIR.exec(name)?.[1];
    if (pid && !alive(Number(pid))) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mcdso-proc-${process.pid}-`));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return (made = dir);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
