import { CheckResult, ThresholdResult } from './types';

/** Nearest-rank percentile (as k6 reports it for trends), 0 for no samples. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface ThresholdOptions {
  p95ThresholdMs?: number;
  maxFailureRate?: number;
}

export interface Verdict {
  passed: number;
  failed: number;
  skipped: number;
  p95Ms: number;
  failureRate: number;
  thresholds: ThresholdResult[];
  ok: boolean;
}

/**
 * Judges a run: a check counts by its last attempt (readiness polls and retries that were
 * followed by a pass are not failures). Without maxFailureRate any failed check fails the run.
 */
export function judge(results: CheckResult[], opts: ThresholdOptions): Verdict {
  const passed = results.filter((r) => r.outcome === 'passed').length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const failed = results.length - passed;
  const durations = results.filter((r) => r.durationMs !== undefined).map((r) => r.durationMs as number);
  const p95Ms = Math.round(percentile(durations, 95));
  const failureRate = results.length ? failed / results.length : 0;
  const thresholds: ThresholdResult[] = [];
  if (opts.p95ThresholdMs !== undefined) {
    const ok = p95Ms <= opts.p95ThresholdMs;
    thresholds.push({
      name: 'p95ThresholdMs',
      ok,
      message: `p95 ${p95Ms} ms ${ok ? '≤' : '>'} ${opts.p95ThresholdMs} ms over ${durations.length} request(s)`,
    });
  }
  if (opts.maxFailureRate !== undefined) {
    const ok = failureRate <= opts.maxFailureRate;
    thresholds.push({
      name: 'maxFailureRate',
      ok,
      message: `failure rate ${pct(failureRate)} (${failed} of ${results.length}) ${ok ? '≤' : '>'} ${pct(opts.maxFailureRate)}`,
    });
  }
  const ok = thresholds.every((t) => t.ok) && (opts.maxFailureRate !== undefined || failed === 0);
  return { passed, failed, skipped, p95Ms, failureRate, thresholds, ok };
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed((rate * 100) % 1 === 0 ? 0 : 1)}%`;
}
