/**
 * CanaryShift's `details` as the Run view shows them (tasks/common/record/details.ts
 * CanaryShiftDetails): weight steps, and each analysis step's metrics with their measurements.
 */
import type { CanaryMeasurement, CanaryMetricResult, CanaryStep } from '../../../tasks/common/record';
import { Obj, isObj, list, text } from './detail-values';
import { LedgerRecord } from './model';

export type StepState = 'ok' | 'failed' | 'neutral';

export interface MeasurementView {
  at?: string;
  value: string;
  passed: boolean;
  /** pass, fail, noData or error (records written before `outcome`: from `passed`). */
  outcome: string;
  detail?: string;
}

/** One metric judged in one analysis step (the query input is the metric named `query`). */
export interface MetricView {
  name: string;
  provider?: string;
  condition?: string;
  passed: boolean;
  /** The last value read. */
  value?: string;
  failures?: number;
  inconclusive?: number;
  reason?: string;
  measurements: MeasurementView[];
}

export interface CanaryStepView {
  kind: CanaryStep['kind'];
  at?: string;
  /** The weight bar, only for steps that set a weight (pause and analysis keep the previous one). */
  weight?: number;
  label: string;
  state: StepState;
  /** The first metric's measurements (what records written before `metrics` carry). */
  measurements: MeasurementView[];
  /** Every metric of an analysis step, side by side. */
  metrics: MetricView[];
  note?: string;
}

function measurement(m: CanaryMeasurement & Obj): MeasurementView {
  const smoke = isObj(m.smoke) ? m.smoke : undefined;
  const smokeFailures =
    smoke && Array.isArray(smoke.failures)
      ? (smoke.failures as unknown[]).filter((f): f is string => typeof f === 'string')
      : [];
  const detail = [
    typeof m.error === 'string' ? m.error : '',
    smoke ? `smoke ${text(smoke.passed) ?? 0} passed, ${text(smoke.failed) ?? 0} failed` : '',
    ...smokeFailures,
  ]
    .filter(Boolean)
    .join('; ');
  return {
    at: text(m.at),
    value: typeof m.value === 'number' ? String(m.value) : smoke ? 'smoke checks' : 'no value',
    passed: m.passed === true,
    outcome: typeof m.outcome === 'string' ? m.outcome : m.passed === true ? 'pass' : 'fail',
    detail: detail || undefined,
  };
}

function metrics(s: CanaryStep): MetricView[] {
  const a = s.analysis;
  if (!a) return [];
  const results = list<CanaryMetricResult & Obj>(a.metrics);
  if (!results.length) {
    const ms = list<CanaryMeasurement & Obj>(a.measurements).map(measurement);
    return ms.length ? [{ name: 'query', passed: a.passed === true, reason: a.reason, measurements: ms }] : [];
  }
  return results.map((m) => ({
    name: m.name ?? '?',
    provider: m.provider,
    condition: m.provider === 'smoke' ? 'every check passes' : m.successCondition,
    passed: m.passed === true,
    value: typeof m.value === 'number' ? String(m.value) : undefined,
    failures: m.failures,
    inconclusive: m.inconclusive,
    reason: m.reason,
    measurements: list<CanaryMeasurement & Obj>(m.measurements).map(measurement),
  }));
}

/** The phase names CanaryShift's blue/green writes in a step's note (tasks/CanaryShift/blue-green.ts). */
const PHASES: Record<string, string> = {
  prePromotion: 'pre-promotion analysis',
  postPromotion: 'post-promotion analysis',
  scaleDownDelay: 'old version kept (scaleDownDelaySeconds)',
  drain: 'preview kept while the endpoints move',
};

/** An analysis step's outcome as read: "passed", or "failed: <reason>". */
function verdict(s: CanaryStep): string {
  if (s.analysis?.passed === true) return 'passed';
  return `failed${s.analysis?.reason ? `: ${s.analysis.reason}` : ''}`;
}

/** Blue/green (strategy blueGreen): a preview behind its own Service, then the active Service switched. */
function blueGreenLabel(s: CanaryStep): { label: string; weight?: number } | undefined {
  const note = s.note ? ` (${s.note})` : '';
  switch (s.kind) {
    case 'deploy':
      return { label: `preview deployed${s.changed === false ? ' (unchanged)' : ''}` };
    case 'switch':
      return { label: `active Service switched${s.note ? `: ${s.note}` : ''}` };
    case 'analysis':
      return { label: `${PHASES[s.note ?? ''] ?? s.note ?? 'analysis'} ${verdict(s)}` };
    case 'pause':
      return {
        label: `${PHASES[s.note ?? ''] ?? `wait${note}`}${s.durationMs !== undefined ? `: ${Math.round(s.durationMs / 1000)} s` : ''}`,
      };
    case 'promote':
      return { label: 'promoted: the active Service on the new version' };
    case 'abort':
      return { label: `aborted: the active Service on the old version${note}` };
    default:
      return undefined;
  }
}

function label(s: CanaryStep, blueGreen: boolean): { label: string; weight?: number } {
  const bg = blueGreen ? blueGreenLabel(s) : undefined;
  if (bg) return bg;
  const replicas = s.replicas !== undefined ? ` (${s.replicas} replica${s.replicas === 1 ? '' : 's'})` : '';
  switch (s.kind) {
    case 'weight':
      return { label: `canary ${s.weight ?? '?'}%${replicas}`, weight: s.weight };
    case 'pause':
      return { label: `pause${s.durationMs !== undefined ? ` ${Math.round(s.durationMs / 1000)} s` : ''}` };
    case 'analysis':
      return { label: `analysis at ${s.weight ?? '?'}% ${verdict(s)}` };
    case 'deploy':
      return { label: `canary deployed${s.changed === false ? ' (unchanged)' : ''}${replicas}`, weight: s.weight };
    case 'promote':
      return { label: 'promoted: new version takes 100%', weight: 100 };
    case 'abort':
      return { label: 'aborted: 100% stable', weight: 0 };
    default:
      return { label: text(s.kind) ?? '?' };
  }
}

/**
 * The rollout as people read it: weight steps draw a bar, pause and analysis steps do not repeat
 * it, promote reads 100% on the new version, abort reads 0% canary. In an aborted run the step that
 * failed (an analysis that did not pass) and the abort are drawn failed.
 */
export function canarySteps(r: LedgerRecord): CanaryStepView[] {
  const aborted = r.details.outcome === 'aborted';
  const blueGreen = r.details.strategy === 'blueGreen';
  return list<CanaryStep>(r.details.steps).map((s): CanaryStepView => {
    const ms = metrics(s);
    const state: StepState =
      s.kind === 'analysis'
        ? s.analysis?.passed === true
          ? 'ok'
          : 'failed'
        : s.kind === 'pause'
          ? 'neutral'
          : s.kind === 'abort'
            ? aborted
              ? 'failed'
              : 'neutral'
            : ['weight', 'deploy', 'promote', 'switch'].includes(s.kind)
              ? 'ok'
              : 'neutral';
    return {
      kind: s.kind,
      at: s.at,
      ...label(s, blueGreen),
      state,
      measurements: ms[0]?.measurements ?? [],
      metrics: ms,
      note: s.note,
    };
  });
}

/** The analysis configuration, one line. */
export function canaryAnalysisPlan(r: LedgerRecord): string | undefined {
  const a = isObj(r.details.analysis) ? r.details.analysis : undefined;
  if (!a) return undefined;
  const parts = [
    a.successCondition,
    a.measurements !== undefined ? `${text(a.measurements)} measurement(s)` : '',
    a.intervalMs !== undefined ? `every ${Number(a.intervalMs) / 1000} s` : '',
    a.failureLimit !== undefined ? `failure limit ${text(a.failureLimit)}` : '',
    a.smokeChecks ? `${text(a.smokeChecks)} smoke check(s)` : '',
    r.details.rolloutTimeoutSeconds !== undefined
      ? `rollout timeout ${text(r.details.rolloutTimeoutSeconds)} s${r.details.timeoutDerived ? ' (from the steps)' : ''}`
      : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/** Each metric's configuration, one line per metric. */
export function canaryMetricsPlan(r: LedgerRecord): string[] {
  const a = isObj(r.details.analysis) ? r.details.analysis : undefined;
  return list<Obj>(a?.metrics).map((m) =>
    [
      `${text(m.name) ?? '?'} (${text(m.provider) ?? '?'})`,
      text(m.successCondition),
      m.measurements !== undefined ? `${text(m.measurements)} measurement(s)` : '',
      m.intervalMs !== undefined ? `every ${Number(m.intervalMs) / 1000} s` : '',
      m.failureLimit !== undefined ? `failure limit ${text(m.failureLimit)}` : '',
      m.noData ? `no data: ${text(m.noData)}` : '',
    ]
      .filter(Boolean)
      .join(', '),
  );
}
