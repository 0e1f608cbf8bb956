import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_ROOT, ROOT } from '../devkit/project';

/**
 * How long each test file ran (wall, its hooks included) in the suites run so far, one `<ms> <file>` line per
 * file and run: scripts/run-tests.ts starts the longest first (longest processing time first, the classic
 * greedy schedule), so a parallel run does not end on one long file running alone. Measured rather than
 * listed by hand: a list (SLOW_FIRST) goes stale when a file grows, and it is the fallback when too few
 * files were timed yet (a clean clone).
 */
export const FILE_TIMES = path.join(BUILD_ROOT, 'build', 'test-file-times.log');

/**
 * A mocha root hook plugin (`--require out/scripts/file-times.js`). In a parallel run each worker runs one
 * file per root suite, so the root's beforeAll/afterAll frame that file; a serial run has one root for
 * every file and records nothing.
 */
export const mochaHooks = {
  // The start is kept on the root's context, which its beforeAll and afterAll share.
  beforeAll(this: Mocha.Context): void {
    this.fileStartedAt = Date.now();
  },
  afterAll(this: Mocha.Context): void {
    const root = this.test?.parent;
    const runnables = [...(root?.suites ?? []), ...(root?.tests ?? [])];
    const files = new Set(runnables.map((r) => r.file).filter((f): f is string => !!f));
    if (files.size !== 1) return;
    const file = path
      .relative(ROOT, [...files][0])
      .split(path.sep)
      .join('/');
    fs.mkdirSync(path.dirname(FILE_TIMES), { recursive: true });
    // One short line per write with O_APPEND: workers finishing at once do not interleave within a line.
    fs.appendFileSync(FILE_TIMES, `${Date.now() - (this.fileStartedAt as number)} ${file}\n`);
  },
};

/** The latest time of each file in the log's text (later lines win). */
export function parseFileTimes(text: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\S+)$/.exec(line.trim());
    if (m) times.set(m[2], Number(m[1]));
  }
  return times;
}

/** The log read and rewritten with the latest time per file only, so it never grows past one line a file. */
export function readFileTimes(file = FILE_TIMES): Map<string, number> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return new Map();
  }
  const times = parseFileTimes(text);
  const compact = [...times].map(([f, ms]) => `${ms} ${f}\n`).join('');
  if (compact !== text) fs.writeFileSync(file, compact);
  return times;
}
