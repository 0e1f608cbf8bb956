/**
 * What each task puts in `details`. A run that fails early fills only part of it, so every field
 * is optional for readers; the hub renders each of these (see hub/src/data/run-details.ts and the
 * contract test test/hub/record-contract.test.ts, which fails on a field the hub does not render).
 */

export interface AcrPromoteDetails {
  mode?: string;
  source?: string;
  sourceTag?: string;
  target?: string;
  digest?: string;
  mediaType?: string;
  platforms?: string;
  tags?: string[];
  tagsMoved?: string;
  tagsUnchanged?: string;
  tagsOverwritten?: string[];
  referrersCopied?: number;
  referrersPresent?: number;
  /** Signatures, SBOMs…: `via` says how they were found (referrers API or the fallback tag). */
  referrers?: {
    digest: string;
    artifactType?: string;
    mediaType?: string;
    subject?: string;
    via?: string;
    /** The cosign tag it was found under (sha256-<hex>.sig / .att). */
    tag?: string;
    existed?: boolean;
  }[];
  /** The source tag not applied (it names another digest than the one promoted), and why. */
  sourceTagNotApplied?: string;
  /** When the promoted digest differs from the source's (platform subset): the source digest and why. */
  sourceDigest?: string;
  digestChanged?: string;
  /** The supply-chain gate: one line, and the facts (tasks/AcrPromote/verify/gate.ts VerificationFacts). */
  verified?: string;
  verification?: PromoteVerification;
  bytesMoved?: number;
  blobsCopied?: number;
  blobsMounted?: number;
  blobsPresent?: number;
  manifestsPushed?: number;
  locked?: string | boolean;
  durationMs?: number;
}

export interface AttestationCheck {
  format: string;
  digest: string;
  via?: string;
  signer?: string;
}

export interface PromoteVerification {
  passed: boolean;
  subject: string;
  policy: { signature: string; requireSbom: boolean; maxSeverity?: string; allowedCves?: string[] };
  signature?: {
    kind: string;
    signer: string;
    keyId?: string;
    /** The Key Vault key (versioned kid) the cosign public key was read from. */
    keyVaultKey?: string;
    issuer?: string;
    signature: string;
    via: string;
  };
  sboms: (AttestationCheck & { packages: number })[];
  vulnerabilities?: {
    reports: (AttestationCheck & { scanner: string; findings: number })[];
    counts: { critical: number; high: number; medium: number; low: number; unknown: number };
    allowed: string[];
  };
  rejected: { digest: string; reason: string }[];
  failedPolicy?: string;
  reason?: string;
}

export type CanaryStepKind = 'deploy' | 'weight' | 'pause' | 'analysis' | 'promote' | 'abort' | 'switch';

export interface CanaryMeasurement {
  at: string;
  value?: number;
  passed: boolean;
  /** pass, fail, noData (counted as the metric's noData policy says) or error. */
  outcome?: string;
  error?: string;
  smoke?: { passed: number; failed: number; failures: string[] };
}

/** One metric's results in one analysis step. */
export interface CanaryMetricResult {
  name: string;
  provider: string;
  successCondition: string;
  passed: boolean;
  value?: number;
  failures: number;
  inconclusive: number;
  measurements: CanaryMeasurement[];
  reason?: string;
}

export interface CanaryAnalysis {
  passed: boolean;
  outcome?: string;
  failures: number;
  /** The first metric's measurements (records written before `metrics`). */
  measurements: CanaryMeasurement[];
  metrics?: CanaryMetricResult[];
  reason?: string;
}

export interface CanaryStep {
  step?: number;
  kind: CanaryStepKind;
  at: string;
  /** Canary traffic weight after the step (promote and abort leave 0: all traffic on stable). */
  weight?: number;
  requestedWeight?: number;
  durationMs?: number;
  changed?: boolean;
  analysis?: CanaryAnalysis;
  /** The canary's replicas after a weight change. */
  replicas?: number;
  note?: string;
}

export interface CanaryShiftDetails {
  action?: 'deploy' | 'shift' | 'run' | 'promote' | 'abort';
  router?: string;
  namespace?: string;
  deployment?: string;
  canary?: string;
  service?: string;
  route?: string;
  /** The analysis configuration (the results are per step). */
  analysis?: {
    query?: string;
    successCondition?: string;
    failureLimit?: number;
    intervalMs?: number;
    measurements?: number;
    smokeChecks?: number;
    /** Every metric judged (the query input appears as the metric named `query`). */
    metrics?: {
      name: string;
      provider: string;
      successCondition?: string;
      failureLimit?: number;
      intervalMs?: number;
      measurements?: number;
      noData?: string;
    }[];
  };
  rolloutTimeoutSeconds?: number;
  /** rolloutTimeoutSeconds was derived from the steps, not set. */
  timeoutDerived?: boolean;
  steps?: CanaryStep[];
  image?: string;
  outcome?: 'promoted' | 'aborted' | 'paused';
  canaryWeight?: number;
  /** canary (traffic in steps) or blueGreen (a preview, then one switch of the active Service). */
  strategy?: 'canary' | 'blueGreen';
  /** Blue/green: the Service whose selector switches, and the one in front of the preview. */
  activeService?: string;
  previewService?: string;
  /** The metrics of each analysis (`all`, or their names); absent: none. */
  prePromotionAnalysis?: string;
  postPromotionAnalysis?: string;
  scaleDownDelaySeconds?: number;
  autoPromotionEnabled?: boolean;
  /** Which pods the active Service selected when the task ended: the stable Deployment's or the preview's. */
  activeOn?: 'stable' | 'preview';
  /** A canaryPatch changed the canary's pod template. */
  canaryPatch?: boolean;
  /** The header name testers send to reach the canary (the value is not recorded). */
  canaryHeader?: string;
}

export interface SmokeCheckResult {
  name: string;
  method?: string;
  url?: string;
  /** passed, assertion, or the transport failure kind (timeout, tls, refused…), or skipped. */
  outcome: string;
  status?: number;
  durationMs?: number;
  attempts?: number;
  failures?: string[];
  bodyExcerpt?: string;
  maybeProcessed?: boolean;
}

export interface SmokeTestDetails {
  passed?: number;
  failed?: number;
  skipped?: number;
  requests?: number;
  p95Ms?: number;
  failureRate?: number;
  thresholds?: { name: string; ok: boolean; message: string }[];
  checks?: SmokeCheckResult[];
}

export interface SecretSyncResult {
  source: string;
  target: string;
  action: string;
  outcome: string;
  secretId?: string;
  version?: number;
  sourceVersion?: string;
  restored?: boolean;
  /** Metadata fields written (tags, contentType, expiry). */
  metaChanges?: string[];
  timeOfDeletion?: string;
  message?: string;
}

export interface KeyVaultToOciDetails {
  keyVault?: string;
  vaultId?: string;
  compartmentId?: string;
  dryRun?: boolean;
  planned?: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  restored?: number;
  skipped?: number;
  failed?: number;
  kept?: number;
  disabled?: number;
  deletionScheduled?: number;
  changes?: string;
  secrets?: SecretSyncResult[];
}

export interface DbStepRecord {
  step: string;
  description?: string;
  startedAt: string;
  durationMs?: number;
  /** Lifecycle states seen while the step ran, with milliseconds since it began. */
  states?: { state: string; atMs: number }[];
  workRequestId?: string;
  backupId?: string;
}

export interface OracleDbProvisionDetails {
  action?: string;
  target?: string;
  displayName?: string;
  steps?: DbStepRecord[];
  autonomousDatabaseId?: string;
  lifecycleState?: string;
  connectionProfile?: string;
  durationMs?: number;
  changed?: boolean;
}
