import { Condition, holds } from '../condition';
import { QueryResult } from './prometheus';

/** One measurement: the metric's value and verdict, and the smoke checks' verdict, when configured. */
export interface Measurement {
  at: string;
  value?: number;
  passed: boolean;
  error?: string;
  smoke?: { passed: number; failed: number; failures: string[] };
}

export interface AnalysisResult {
  passed: boolean;
  failures: number;
  measurements: Measurement[];
  /** Why it failed, for people. */
  reason?: string;
}

export interface AnalysisPlan {
  measurements: number;
  intervalMs: number;
  failureLimit: number;
  condition: Condition;
}

export interface AnalysisProbes {
  /** The Prometheus query, when configured. */
  metric?: (at: Date) => Promise<QueryResult>;
  /** The smoke checks against the canary, when configured. */
  smoke?: () => Promise<{ passed: number; failed: number; failures: string[] }>;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  log: (message: string) => void;
}

function describeCondition(c: Condition): string {
  return `result ${c.op} ${c.threshold}`;
}

/**
 * Takes `measurements` measurements `intervalMs` apart (Argo Rollouts' count/interval); a
 * measurement fails when the metric breaks the condition, cannot be read, or a smoke check fails.
 * More than `failureLimit` failures fail the analysis at once: no point measuring a bad canary longer.
 */
export async function analyse(plan: AnalysisPlan, probes: AnalysisProbes): Promise<AnalysisResult> {
  const measurements: Measurement[] = [];
  let failures = 0;
  for (let i = 0; i < plan.measurements; i++) {
    const at = probes.now();
    const m: Measurement = { at: at.toISOString(), passed: true };
    const problems: string[] = [];
    if (probes.metric) {
      const r = await probes.metric(at);
      if (r.ok) {
        m.value = r.value;
        if (!holds(plan.condition, r.value)) problems.push(`${r.value} does not satisfy ${describeCondition(plan.condition)}`);
      } else problems.push(r.error);
    }
    if (probes.smoke) {
      m.smoke = await probes.smoke();
      if (m.smoke.failed) problems.push(`${m.smoke.failed} smoke check(s) failed: ${m.smoke.failures.join('; ')}`);
    }
    if (problems.length) {
      m.passed = false;
      m.error = problems.join('; ');
      failures++;
    }
    measurements.push(m);
    probes.log(`Measurement ${i + 1}/${plan.measurements}: ${m.value !== undefined ? `value ${m.value}, ` : ''}${m.passed ? 'passed' : `failed (${m.error})`}.`);
    if (failures > plan.failureLimit) {
      return { passed: false, failures, measurements, reason: `${failures} failed measurement(s), more than the failure limit of ${plan.failureLimit}; last: ${m.error}` };
    }
    if (i < plan.measurements - 1) await probes.sleep(plan.intervalMs);
  }
  return { passed: true, failures, measurements };
}
