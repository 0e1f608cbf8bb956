/**
 * A record's task-specific `details` → the Run view's facts, read in the shapes the tasks write
 * (tasks/common/record/details.ts; the validator already dropped ill-typed values). RENDERED lists
 * the nested paths these readers show; top-level scalars show as facts. The contract test checks
 * that every field path of every generated record is one or the other.
 */
import type { DbStepRecord, SecretSyncResult, SmokeCheckResult } from '../../../tasks/common/record';
import { LedgerRecord, TaskName } from './model';

import { Obj, list, text } from './detail-values';

export { text };

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
    'referrers[].tag',
    'referrers[].existed',
    ...[
      '',
      '.passed',
      '.subject',
      '.policy',
      '.policy.signature',
      '.policy.requireSbom',
      '.policy.maxSeverity',
      '.policy.allowedCves',
      '.signature',
      '.signature.kind',
      '.signature.signer',
      '.signature.keyId',
      '.signature.keyVaultKey',
      '.signature.issuer',
      '.signature.signature',
      '.signature.via',
      '.sboms',
      '.sboms[].format',
      '.sboms[].digest',
      '.sboms[].via',
      '.sboms[].signer',
      '.sboms[].packages',
      '.vulnerabilities',
      '.vulnerabilities.reports',
      '.vulnerabilities.reports[].format',
      '.vulnerabilities.reports[].digest',
      '.vulnerabilities.reports[].via',
      '.vulnerabilities.reports[].signer',
      '.vulnerabilities.reports[].scanner',
      '.vulnerabilities.reports[].findings',
      '.vulnerabilities.counts',
      '.vulnerabilities.counts.critical',
      '.vulnerabilities.counts.high',
      '.vulnerabilities.counts.medium',
      '.vulnerabilities.counts.low',
      '.vulnerabilities.counts.unknown',
      '.vulnerabilities.allowed',
      '.rejected',
      '.rejected[].digest',
      '.rejected[].reason',
      '.failedPolicy',
      '.reason',
    ].map((p) => `verification${p}`),
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
    'steps[].analysis.measurements[].outcome',
    'steps[].analysis.measurements[].error',
    'steps[].analysis.measurements[].smoke',
    'steps[].analysis.measurements[].smoke.passed',
    'steps[].analysis.measurements[].smoke.failed',
    'steps[].analysis.measurements[].smoke.failures',
    'steps[].analysis.outcome',
    'steps[].analysis.metrics',
    'steps[].analysis.metrics[].name',
    'steps[].analysis.metrics[].provider',
    'steps[].analysis.metrics[].successCondition',
    'steps[].analysis.metrics[].passed',
    'steps[].analysis.metrics[].value',
    'steps[].analysis.metrics[].failures',
    'steps[].analysis.metrics[].inconclusive',
    'steps[].analysis.metrics[].reason',
    'steps[].analysis.metrics[].measurements',
    'steps[].analysis.metrics[].measurements[].at',
    'steps[].analysis.metrics[].measurements[].value',
    'steps[].analysis.metrics[].measurements[].passed',
    'steps[].analysis.metrics[].measurements[].outcome',
    'steps[].analysis.metrics[].measurements[].error',
    'steps[].analysis.metrics[].measurements[].smoke',
    'steps[].analysis.metrics[].measurements[].smoke.passed',
    'steps[].analysis.metrics[].measurements[].smoke.failed',
    'steps[].analysis.metrics[].measurements[].smoke.failures',
    'steps[].replicas',
    'analysis.metrics',
    'analysis.metrics[].name',
    'analysis.metrics[].provider',
    'analysis.metrics[].successCondition',
    'analysis.metrics[].failureLimit',
    'analysis.metrics[].intervalMs',
    'analysis.metrics[].measurements',
    'analysis.metrics[].noData',
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
    'secrets[].metaChanges',
    'secrets[].timeOfDeletion',
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

export {
  canarySteps,
  canaryAnalysisPlan,
  canaryMetricsPlan,
  type CanaryStepView,
  type MetricView,
  type StepState,
} from './canary-details';
export { promoteVerification, verificationMark, type VerificationView } from './promote-details';

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
  tag?: string;
}

export function promoteReferrers(r: LedgerRecord): ReferrerView[] {
  return list<Obj>(r.details.referrers).map((x) => ({
    digest: text(x.digest) ?? '?',
    type: text(x.artifactType ?? x.mediaType),
    copied: x.existed !== true,
    subject: text(x.subject),
    via: text(x.via),
    tag: text(x.tag),
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
