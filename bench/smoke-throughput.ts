import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CheckSpec, parseChecks, runChecks } from '../tasks/common/checks';
import { runTaskLikeAgent } from '../devkit/agent/agent-run';
import { packagedTaskDir } from '../devkit/agent/vsix';
import { startService } from '../devkit/stand-ins/smoke-service';
import { writeResult } from './results';

/**
 * SmokeTest throughput: 200 checks against a local service that answers every request after a
 * fixed latency L, at concurrency C. The ideal is 200·L/C (perfect pipelining, zero overhead);
 * the figure is total / ideal (goal ≤ 1.3). Measured for the engine (runChecks, what the task
 * and CanaryShift call) and for the packaged task end to end (node start-up, validation,
 * JUnit and record included). A bare keep-alive http.request loop at the same concurrency runs
 * interleaved as the baseline: it shows what this machine's timers and load allow, so
 * engine/baseline isolates the engine's own overhead. Medians of RUNS runs.
 */
const CHECKS = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CONFIGS = [
  { latencyMs: 50, concurrency: 10 },
  { latencyMs: 20, concurrency: 4 },
  // 200 must divide by C: otherwise the last partial round makes the ideal unreachable.
  { latencyMs: 100, concurrency: 40 },
];
const GOAL = 1.3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function checksYaml(): string {
  const lines = ['- { name: first, path: /healthz, expect: { status: 200, json: { $.status: UP } } }'];
  for (let i = 1; i < CHECKS; i++)
    lines.push(
      `- { name: check-${i}, path: "/healthz?i=${i}", expect: { status: 2xx, json: { $.status: UP }, headers: { content-type: { matches: json } } } }`,
    );
  return lines.join('\n');
}

/** The floor: the same requests with nothing but node:http, no parsing or assertions. */
async function baseline(url: string, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(`${url}/healthz`, { agent }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end();
    });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < CHECKS) {
        next++;
        await one();
      }
    }),
  );
  agent.destroy();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const yaml = checksYaml();
  const parsed = parseChecks(yaml);
  if (!parsed.ok) throw new Error(parsed.error);
  const checks: CheckSpec[] = parsed.value;
  const rows: Record<string, number>[] = [];
  for (const { latencyMs, concurrency } of CONFIGS) {
    const svc = await startService({ latencyMs });
    const ideal = (CHECKS * latencyMs) / concurrency;
    const engine: number[] = [];
    const base: number[] = [];
    const task: number[] = [];
    const withTask = fs.existsSync(path.join(packagedTaskDir('SmokeTest'), 'index.js'));
    for (let i = 0; i < RUNS; i++) {
      base.push(await baseline(svc.url, concurrency));
      const t0 = performance.now();
      const report = await runChecks(checks, {
        baseUrl: new URL(svc.url),
        concurrency,
        timeoutMs: 10_000,
        retries: 0,
        retryIntervalMs: 0,
        waitForReadyMs: 0,
      });
      engine.push(performance.now() - t0);
      if (report.passed !== CHECKS) throw new Error(`only ${report.passed} of ${CHECKS} checks passed`);
      if (!withTask) continue;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
      const t1 = performance.now();
      const run = await runTaskLikeAgent({
        taskDir: packagedTaskDir('SmokeTest'),
        inputs: { baseUrl: svc.url, checks: yaml, concurrency: String(concurrency) },
        env: { AGENT_TEMPDIRECTORY: dir },
      });
      task.push(performance.now() - t1);
      if (run.result !== 'Succeeded') throw new Error(`the packaged task did not succeed: ${run.resultMessage}`);
    }
    await svc.close();
    const row: Record<string, number> = {
      latencyMs,
      concurrency,
      checks: CHECKS,
      idealMs: ideal,
      engineMs: Math.round(median(engine)),
      engineRatio: +(median(engine) / ideal).toFixed(3),
      baselineMs: Math.round(median(base)),
      baselineRatio: +(median(base) / ideal).toFixed(3),
      engineVsBaseline: +(median(engine) / median(base)).toFixed(3),
    };
    if (task.length)
      Object.assign(row, { taskMs: Math.round(median(task)), taskRatio: +(median(task) / ideal).toFixed(3) });
    rows.push(row);
    console.log(
      `L=${String(latencyMs).padStart(3)} ms C=${String(concurrency).padStart(2)}: ideal ${ideal} ms, engine ${row.engineMs} ms → ${row.engineRatio}× ` +
        `(bare node:http ${row.baselineMs} ms → ${row.baselineRatio}×; engine/bare ${row.engineVsBaseline}×)` +
        (task.length
          ? `, packaged task ${row.taskMs} ms → ${row.taskRatio}×`
          : ' (no packaged task: run npm run package)'),
    );
  }
  const worstEngine = Math.max(...rows.map((r) => r.engineRatio));
  console.log(`worst engine ratio ${worstEngine}× (goal ≤ ${GOAL}×); ${CHECKS} checks, ${RUNS} runs each, medians`);
  const result = { checks: CHECKS, runs: RUNS, rows, worstEngineRatio: worstEngine, goal: GOAL };
  console.log(JSON.stringify(result));
  writeResult('smoke-throughput', result);
  if (worstEngine > GOAL) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
