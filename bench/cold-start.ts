import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TASK_NAMES, vsixPath } from '../devkit/project';
import { packagedTaskDir } from '../devkit/agent/vsix';
import { writeResult } from './results';

/**
 * Cold start of each packaged task (bad input: start, validate, fail) against `node -e 0`, run
 * interleaved with the same minimal environment so machine noise hits both alike. Goal: ≤ 2×.
 * Also the .vsix size (goal ≤ 4 MB).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 25);

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  const env = { PATH: process.env.PATH, AGENT_TEMPDIRECTORY: tempDir };
  const rows: { task: string; taskMs: number; baselineMs: number; ratio: number }[] = [];
  for (const task of TASK_NAMES) {
    const entry = path.join(packagedTaskDir(task), 'index.js');
    timeOnce([entry], env); // warm the file cache for both sides
    timeOnce(['-e', '0'], env);
    const taskTimes: number[] = [];
    const baseTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      taskTimes.push(timeOnce([entry], env));
      baseTimes.push(timeOnce(['-e', '0'], env));
    }
    const taskMs = median(taskTimes);
    const baselineMs = median(baseTimes);
    rows.push({
      task,
      taskMs: +taskMs.toFixed(1),
      baselineMs: +baselineMs.toFixed(1),
      ratio: +(taskMs / baselineMs).toFixed(2),
    });
  }
  const vsixBytes = fs.statSync(vsixPath()).size;
  const worst = Math.max(...rows.map((r) => r.ratio));
  for (const r of rows)
    console.log(
      `${r.task.padEnd(18)} ${String(r.taskMs).padStart(7)} ms   node -e 0 ${String(r.baselineMs).padStart(6)} ms   ratio ${r.ratio}×`,
    );
  console.log(
    `worst cold-start ratio ${worst}× (goal ≤ 2×); .vsix ${(vsixBytes / 1024 / 1024).toFixed(2)} MB (goal ≤ 4 MB); ${RUNS} runs each, medians`,
  );
  writeResult('cold-start', {
    runs: RUNS,
    rows,
    worstRatio: worst,
    vsixBytes,
    goals: { ratio: 2, vsixBytes: 4 * 1024 * 1024 },
  });
}

main();
