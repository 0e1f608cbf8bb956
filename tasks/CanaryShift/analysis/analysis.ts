import { CanaryMeasurement, CanaryMetricResult } from '../../common/record/details';
import { Condition, holds } from '../condition';
import { NoDataPolicy } from './metrics';
import { Reading } from './providers/provider';
import { QueryResult } from './prometheus';
import { untrustedText } from './untrusted';

export type MeasurementOutcome = 'pass' | 'fail' | 'noData' | 'error';

/** One measurement as the record carries it (record/details.ts), its outcome narrowed to what we write. */
export interface Measurement extends CanaryMeasurement {
  outcome?: MeasurementOutcome;
}

/** One metric's measurements in one analysis step (the record's `analysis.metrics[]`, rendered by the hub). */
export interface MetricResult extends CanaryMetricResult {
  measurements: Measurement[];
}

export interface AnalysisResult {
  passed: boolean;
  outcome?: 'passed' | 'failed';
  failures: number;
  /** The first metric's measurements (kept for records written before `metrics`). */
  measurements: Measurement[];
  metrics?: MetricResult[];
  /** Why it failed, for people. */
  reason?: string;
}

export interface AnalysisPlan {
  measurements: number;
  intervalMs: number;
  failureLimit: number;
  condition: Condition;
  noData?: NoDataPolicy;
}

export interface Clock {
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  log: (message: string) => void;
}

export interface AnalysisProbes extends Clock {
  metric?: (at: Date) => Promise<QueryResult>;
  smoke?: () => Promise<{ passed: number; failed: number; failures: string[] }>;
}

const describeCondition = (c: Condition): string => `result ${c.op} ${c.threshold}`;

/**
 * A reading as people write thresholds: a rate Prometheus computes as 7/10 arrives as 0.7000000000000001,
 * which reads like a different number in a log. Six significant digits; the record keeps the exact value.
 */
export const shownValue = (v: number): string => String(Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

/**
 * Takes `measurements` readings `intervalMs` apart (Argo Rollouts' count/interval). A reading fails when it
 * breaks the condition or the query fails; no data counts as the noData policy says (fail, pass, or
 * inconclusive: counted neither way). More than `failureLimit` failures fail at once: no point measuring a
 * bad canary longer. An all-inconclusive metric does not pass: nothing showed the canary is good.
 */
export async function measureMetric(
  name: string,
  provider: string,
  plan: AnalysisPlan,
  read: (at: Date) => Promise<Reading>,
  clock: Clock,
  smoke?: AnalysisProbes['smoke'],
): Promise<MetricResult> {
  const out: MetricResult = {
    name,
    provider,
    successCondition: describeCondition(plan.condition),
    passed: true,
    failures: 0,
    inconclusive: 0,
    measurements: [],
  };
  for (let i = 0; i < plan.measurements; i++) {
    const at = clock.now();
    const m: Measurement = { at: at.toISOString(), passed: true, outcome: 'pass' };
    const problems: string[] = [];
    const r = await read(at);
    if (r.kind === 'value') {
      m.value = r.value;
      out.value = r.value;
      if (!holds(plan.condition, r.value)) {
        m.outcome = 'fail';
        problems.push(`${shownValue(r.value)} does not satisfy ${describeCondition(plan.condition)}`);
      }
    } else if (r.kind === 'noData') {
      m.outcome = 'noData';
      const policy = plan.noData ?? 'fail';
      if (policy === 'fail') problems.push(`no data: ${untrustedText(r.detail)}`);
      else if (policy === 'inconclusive') out.inconclusive++;
      m.error = `no data (${policy})`;
    } else if (r.kind === 'error') {
      m.outcome = 'error';
      problems.push(untrustedText(r.error));
    }
    if (smoke) {
      m.smoke = await smoke();
      if (m.smoke.failed) problems.push(`${m.smoke.failed} smoke check(s) failed: ${m.smoke.failures.join('; ')}`);
    }
    if (problems.length) {
      m.passed = false;
      if (m.outcome === 'pass') m.outcome = 'fail';
      m.error = problems.join('; ');
      out.failures++;
    }
    out.measurements.push(m);
    const shown = m.value !== undefined ? `value ${shownValue(m.value)}, ` : '';
    clock.log(
      `${name} ${i + 1}/${plan.measurements}: ${shown}${m.passed ? (m.outcome === 'noData' ? m.error : 'passed') : `failed (${m.error})`}.`,
    );
    if (out.failures > plan.failureLimit) {
      out.passed = false;
      out.reason = `${name}: ${out.failures} failed measurement(s), more than the failure limit of ${plan.failureLimit}; last: ${m.error}`;
      return out;
    }
    if (i < plan.measurements - 1) await clock.sleep(plan.intervalMs);
  }
  if (out.inconclusive === out.measurements.length) {
    out.passed = false;
    out.reason = `${name}: every measurement had no data (noData: inconclusive), so nothing showed the canary is healthy`;
  }
  return out;
}

/** Several metrics measured side by side: the step passes when every one passes. */
export async function analyseMetrics(runs: (() => Promise<MetricResult>)[]): Promise<AnalysisResult> {
  const metrics = await Promise.all(runs.map((r) => r()));
  const failed = metrics.filter((m) => !m.passed);
  return {
    passed: !failed.length,
    outcome: failed.length ? 'failed' : 'passed',
    failures: metrics.reduce((n, m) => n + m.failures, 0),
    measurements: metrics[0]?.measurements ?? [],
    metrics,
    reason: failed.length ? failed.map((m) => m.reason).join('; ') : undefined,
  };
}

/** The single-query form (prometheusUrl + query inputs, and/or smoke checks) as one metric. */
export async function analyse(plan: AnalysisPlan, probes: AnalysisProbes): Promise<AnalysisResult> {
  const metric = probes.metric;
  const read = metric
    ? async (at: Date): Promise<Reading> => {
        const r = await metric(at);
        if (r.ok) return { kind: 'value', value: r.value };
        return r.noData ? { kind: 'noData', detail: r.error } : { kind: 'error', error: r.error };
      }
    : async (): Promise<Reading> => ({ kind: 'value', value: Number.NaN });
  // Smoke checks alone: the "value" is not judged, only the checks.
  const judged = metric ? plan : { ...plan, condition: { op: '!=', threshold: Number.NaN } as Condition };
  const result = await analyseMetrics([
    () =>
      measureMetric(metric ? 'query' : 'smoke', metric ? 'prometheus' : 'smoke', judged, read, probes, probes.smoke),
  ]);
  if (!metric) for (const m of result.measurements) delete m.value;
  return result;
}
