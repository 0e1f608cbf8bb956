/**
 * A record's task-specific `details` → the Run view's facts, read in the shapes the tasks write
 * (tasks/common/record/details.ts; the validator already dropped ill-typed values). RENDERED lists
 * the nested paths these readers show; top-level scalars show as facts. The contract test checks
 * that every field path of every generated record is one or the other.
 */
import type { CanaryStep, DbStepRecord, SecretSyncResult, SmokeCheckResult } from '../../../tasks/common/record';
import { LedgerRecord, TaskName } from './model';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v.filter(isObj) as unknown as T[]) : []);

/** Nested detail paths shown by the readers below (scalars at the top level are shown as facts). */
export const RENDERED: Record<TaskName, string[]> = {
  AcrPromote: [
    'tags',
    'tagsOverwritten',
    'referrers',
    'referrers[].digest',
    'referrers[].artifactType',
    'referrers[].mediaType',
    'referrers[].subject',
    'referrers[].via',
    'referrers[].existed',
  ],
  CanaryShift: [
    'analysis',
    'analysis.query',
    'analysis.successCondition',
    'analysis.failureLimit',
    'analysis.intervalMs',
    'analysis.measurements',
    'analysis.smokeChecks',
    'steps',
    'steps[].step',
    'steps[].kind',
    'steps[].at',
    'steps[].weight',
    'steps[].requestedWeight',
    'steps[].durationMs',
    'steps[].changed',
    'steps[].note',
    'steps[].analysis',
    'steps[].analysis.passed',
    'steps[].analysis.failures',
    'steps[].analysis.reason',
    'steps[].analysis.measurements',
    'steps[].analysis.measurements[].at',
    'steps[].analysis.measurements[].value',
    'steps[].analysis.measurements[].passed',
    'steps[].analysis.measurements[].error',
    'steps[].analysis.measurements[].smoke',
    'steps[].analysis.measurements[].smoke.passed',
    'steps[].analysis.measurements[].smoke.failed',
    'steps[].analysis.measurements[].smoke.failures',
  ],
  SmokeTest: [
    'thresholds',
    'thresholds[].name',
    'thresholds[].ok',
    'thresholds[].message',
    'checks',
    'checks[].name',
    'checks[].method',
    'checks[].url',
    'checks[].outcome',
    'checks[].status',
    'checks[].durationMs',
    'checks[].attempts',
    'checks[].failures',
    'checks[].bodyExcerpt',
    'checks[].maybeProcessed',
  ],
  KeyVaultToOci: [
    'secrets',
    'secrets[].source',
    'secrets[].target',
    'secrets[].action',
    'secrets[].outcome',
    'secrets[].secretId',
    'secrets[].version',
    'secrets[].sourceVersion',
    'secrets[].restored',
    'secrets[].message',
  ],
  OracleDbProvision: [
    'steps',
    'steps[].step',
    'steps[].description',
    'steps[].startedAt',
    'steps[].durationMs',
    'steps[].workRequestId',
    'steps[].backupId',
    'steps[].states',
    'steps[].states[].state',
    'steps[].states[].atMs',
  ],
};

export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

export type StepState = 'ok' | 'failed' | 'neutral';

export interface CanaryStepView {
  kind: CanaryStep['kind'];
  at?: string;
  /** The weight bar, only for steps that set a weight (pause and analysis keep the previous one). */
  weight?: number;
  label: string;
  state: StepState;
  /** Analysis measurements, as "0.997 ✓" lines, with smoke-check failures. */
  measurements: { at?: string; value: string; passed: boolean; detail?: string }[];
  note?: string;
}

/**
 * The rollout as people read it: weight steps draw a bar, pause and analysis steps do not repeat
 * it, promote reads 100% on the new version, abort reads 0% canary. In an aborted run the step that
 * failed (an analysis that did not pass) is drawn failed.
 */
export function canarySteps(r: LedgerRecord): CanaryStepView[] {
  const aborted = r.details.outcome === 'aborted';
  return list<CanaryStep>(r.details.steps).map((s): CanaryStepView => {
    const measurements = list<Obj>(s.analysis?.measurements).map((m) => {
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
        value: typeof m.value === 'number' ? String(m.value) : 'no value',
        passed: m.passed === true,
        detail: detail || undefined,
      };
    });
    const pause = s.durationMs !== undefined ? ` ${Math.round(s.durationMs / 1000)} s` : '';
    switch (s.kind) {
      case 'weight':
        return {
          kind: s.kind,
          at: s.at,
          weight: s.weight,
          label: `canary ${s.weight ?? '?'}%`,
          state: 'ok',
          measurements,
          note: s.note,
        };
      case 'pause':
        return { kind: s.kind, at: s.at, label: `pause${pause}`, state: 'neutral', measurements, note: s.note };
      case 'analysis': {
        const passed = s.analysis?.passed === true;
        const reason = s.analysis?.reason ? `: ${s.analysis.reason}` : '';
        return {
          kind: s.kind,
          at: s.at,
          label: `analysis at ${s.weight ?? '?'}% ${passed ? 'passed' : `failed${reason}`}`,
          state: passed ? 'ok' : 'failed',
          measurements,
          note: s.note,
        };
      }
      case 'deploy':
        return {
          kind: s.kind,
          at: s.at,
          weight: s.weight,
          label: `canary deployed${s.changed === false ? ' (unchanged)' : ''}`,
          state: 'ok',
          measurements,
          note: s.note,
        };
      case 'promote':
        return {
          kind: s.kind,
          at: s.at,
          weight: 100,
          label: 'promoted: new version takes 100%',
          state: 'ok',
          measurements,
          note: s.note,
        };
      case 'abort':
        return {
          kind: s.kind,
          at: s.at,
          weight: 0,
          label: 'aborted: 100% stable',
          state: aborted ? 'failed' : 'neutral',
          measurements,
          note: s.note,
        };
      default:
        return { kind: s.kind, at: s.at, label: text(s.kind) ?? '?', state: 'neutral', measurements, note: s.note };
    }
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
  ];
  return parts.filter(Boolean).join(', ');
}

export interface SmokeView {
  name: string;
  passed: boolean;
  outcome: string;
  request?: string;
  status?: number;
  durationMs?: number;
  attempts?: number;
  failures: string[];
  excerpt?: string;
}

export function smokeResults(r: LedgerRecord): SmokeView[] {
  return list<SmokeCheckResult>(r.details.checks).map((c) => ({
    name: c.name ?? '?',
    passed: c.outcome === 'passed',
    outcome: c.outcome ?? '?',
    request: [c.method, c.url].filter(Boolean).join(' ') || undefined,
    status: c.status,
    durationMs: c.durationMs,
    attempts: c.attempts,
    failures: [
      ...(c.failures ?? []),
      ...(c.maybeProcessed ? ['the request may have been processed before the connection failed'] : []),
    ],
    excerpt: c.bodyExcerpt,
  }));
}

export function smokeThresholds(r: LedgerRecord): { name: string; ok: boolean; message: string }[] {
  return list<Obj>(r.details.thresholds).map((t) => ({
    name: text(t.name) ?? '?',
    ok: t.ok === true,
    message: text(t.message) ?? '',
  }));
}

export interface DbStepView {
  step: string;
  description?: string;
  startedAt?: string;
  durationMs?: number;
  states: { state: string; atMs: number }[];
  ids: string[];
}

/** OracleDbProvision: each step with the lifecycle states it went through. */
export function dbSteps(r: LedgerRecord): DbStepView[] {
  return list<DbStepRecord>(r.details.steps).map((s) => ({
    step: s.step ?? '?',
    description: s.description,
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    states: list<{ state: string; atMs: number }>(s.states),
    ids: [s.workRequestId ? `work request ${s.workRequestId}` : '', s.backupId ? `backup ${s.backupId}` : ''].filter(
      Boolean,
    ),
  }));
}

export function secretSyncs(r: LedgerRecord): SecretSyncResult[] {
  return list<SecretSyncResult>(r.details.secrets);
}

export interface ReferrerView {
  digest: string;
  type?: string;
  copied: boolean;
  subject?: string;
  via?: string;
}

export function promoteReferrers(r: LedgerRecord): ReferrerView[] {
  return list<Obj>(r.details.referrers).map((x) => ({
    digest: text(x.digest) ?? '?',
    type: text(x.artifactType ?? x.mediaType),
    copied: x.existed !== true,
    subject: text(x.subject),
    via: text(x.via),
  }));
}

/** Scalar details for the generic facts table (nested values are shown by the views above). */
export function scalarFacts(r: LedgerRecord): [string, string][] {
  const lists: [string, string][] = [];
  for (const k of ['tags', 'tagsOverwritten']) {
    const v = r.details[k];
    if (r.task === 'AcrPromote' && Array.isArray(v)) lists.push([k, v.join(', ') || 'none']);
  }
  return [
    ...Object.entries(r.details)
      .filter(([, v]) => v === null || typeof v !== 'object')
      .map(([k, v]): [string, string] => [k, text(v) ?? '']),
    ...lists,
  ];
}
