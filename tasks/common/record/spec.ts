/**
 * The shape of each task's `details`, as data: the validator checks records against it, and the
 * contract test lists its field paths to prove the hub renders every one of them. Keep it in step
 * with details.ts (a type test in test/hub/record-contract.test.ts compares the two).
 */
import type { TaskName } from './schema';

export type FieldSpec =
  | 'string'
  | 'number'
  | 'boolean'
  | 'string[]'
  | 'string|boolean'
  | { list: ObjectSpec | 'string' }
  | { obj: ObjectSpec };
export type ObjectSpec = { [field: string]: FieldSpec };

const measurement: ObjectSpec = {
  at: 'string',
  value: 'number',
  passed: 'boolean',
  outcome: 'string',
  error: 'string',
  smoke: { obj: { passed: 'number', failed: 'number', failures: 'string[]' } },
};

const attestation: ObjectSpec = { format: 'string', digest: 'string', via: 'string', signer: 'string' };

const verification: ObjectSpec = {
  passed: 'boolean',
  subject: 'string',
  policy: {
    obj: { signature: 'string', requireSbom: 'boolean', maxSeverity: 'string', allowedCves: 'string[]' },
  },
  signature: {
    obj: {
      kind: 'string',
      signer: 'string',
      keyId: 'string',
      keyVaultKey: 'string',
      issuer: 'string',
      signature: 'string',
      via: 'string',
    },
  },
  sboms: { list: { ...attestation, packages: 'number' } },
  vulnerabilities: {
    obj: {
      reports: { list: { ...attestation, scanner: 'string', findings: 'number' } },
      counts: { obj: { critical: 'number', high: 'number', medium: 'number', low: 'number', unknown: 'number' } },
      allowed: 'string[]',
    },
  },
  rejected: { list: { digest: 'string', reason: 'string' } },
  failedPolicy: 'string',
  reason: 'string',
};

export const DETAIL_SPECS: Record<TaskName, ObjectSpec> = {
  AcrPromote: {
    mode: 'string',
    source: 'string',
    sourceTag: 'string',
    target: 'string',
    digest: 'string',
    mediaType: 'string',
    platforms: 'string',
    tags: 'string[]',
    tagsMoved: 'string',
    tagsUnchanged: 'string',
    tagsOverwritten: 'string[]',
    referrersCopied: 'number',
    referrersPresent: 'number',
    referrers: {
      list: {
        digest: 'string',
        artifactType: 'string',
        mediaType: 'string',
        subject: 'string',
        via: 'string',
        tag: 'string',
        existed: 'boolean',
      },
    },
    sourceTagNotApplied: 'string',
    sourceDigest: 'string',
    digestChanged: 'string',
    verified: 'string',
    verification: { obj: verification },
    bytesMoved: 'number',
    blobsCopied: 'number',
    blobsMounted: 'number',
    blobsPresent: 'number',
    manifestsPushed: 'number',
    locked: 'string|boolean',
    durationMs: 'number',
  },
  CanaryShift: {
    action: 'string',
    router: 'string',
    namespace: 'string',
    deployment: 'string',
    canary: 'string',
    service: 'string',
    route: 'string',
    analysis: {
      obj: {
        query: 'string',
        successCondition: 'string',
        failureLimit: 'number',
        intervalMs: 'number',
        measurements: 'number',
        smokeChecks: 'number',
        metrics: {
          list: {
            name: 'string',
            provider: 'string',
            successCondition: 'string',
            failureLimit: 'number',
            intervalMs: 'number',
            measurements: 'number',
            noData: 'string',
          },
        },
      },
    },
    rolloutTimeoutSeconds: 'number',
    timeoutDerived: 'boolean',
    steps: {
      list: {
        step: 'number',
        kind: 'string',
        at: 'string',
        weight: 'number',
        requestedWeight: 'number',
        durationMs: 'number',
        changed: 'boolean',
        replicas: 'number',
        note: 'string',
        analysis: {
          obj: {
            passed: 'boolean',
            outcome: 'string',
            failures: 'number',
            reason: 'string',
            measurements: { list: measurement },
            metrics: {
              list: {
                name: 'string',
                provider: 'string',
                successCondition: 'string',
                passed: 'boolean',
                value: 'number',
                failures: 'number',
                inconclusive: 'number',
                measurements: { list: measurement },
                reason: 'string',
              },
            },
          },
        },
      },
    },
    image: 'string',
    outcome: 'string',
    canaryWeight: 'number',
    strategy: 'string',
    activeService: 'string',
    previewService: 'string',
    prePromotionAnalysis: 'string',
    postPromotionAnalysis: 'string',
    scaleDownDelaySeconds: 'number',
    autoPromotionEnabled: 'boolean',
    activeOn: 'string',
    canaryPatch: 'boolean',
    canaryHeader: 'string',
  },
  SmokeTest: {
    passed: 'number',
    failed: 'number',
    skipped: 'number',
    requests: 'number',
    p95Ms: 'number',
    failureRate: 'number',
    thresholds: { list: { name: 'string', ok: 'boolean', message: 'string' } },
    checks: {
      list: {
        name: 'string',
        method: 'string',
        url: 'string',
        outcome: 'string',
        status: 'number',
        durationMs: 'number',
        attempts: 'number',
        failures: 'string[]',
        bodyExcerpt: 'string',
        maybeProcessed: 'boolean',
      },
    },
  },
  KeyVaultToOci: {
    keyVault: 'string',
    vaultId: 'string',
    compartmentId: 'string',
    dryRun: 'boolean',
    planned: 'number',
    created: 'number',
    updated: 'number',
    unchanged: 'number',
    restored: 'number',
    skipped: 'number',
    failed: 'number',
    kept: 'number',
    disabled: 'number',
    deletionScheduled: 'number',
    changes: 'string',
    secrets: {
      list: {
        source: 'string',
        target: 'string',
        action: 'string',
        outcome: 'string',
        secretId: 'string',
        version: 'number',
        sourceVersion: 'string',
        restored: 'boolean',
        metaChanges: 'string[]',
        timeOfDeletion: 'string',
        message: 'string',
      },
    },
  },
  OracleDbProvision: {
    action: 'string',
    target: 'string',
    displayName: 'string',
    autonomousDatabaseId: 'string',
    lifecycleState: 'string',
    connectionProfile: 'string',
    durationMs: 'number',
    changed: 'boolean',
    steps: {
      list: {
        step: 'string',
        description: 'string',
        startedAt: 'string',
        durationMs: 'number',
        workRequestId: 'string',
        backupId: 'string',
        states: { list: { state: 'string', atMs: 'number' } },
      },
    },
  },
};

/** Every field path of a spec, e.g. `steps[].analysis.measurements[].value`. */
export function specPaths(spec: ObjectSpec, prefix = ''): string[] {
  return Object.entries(spec).flatMap(([k, f]) => {
    const p = `${prefix}${k}`;
    if (typeof f === 'string') return [p];
    if ('obj' in f) return [p, ...specPaths(f.obj, `${p}.`)];
    return [p, ...(f.list === 'string' ? [] : specPaths(f.list, `${p}[].`))];
  });
}
