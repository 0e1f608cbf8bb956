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
    existed?: boolean;
  }[];
  bytesMoved?: number;
  blobsCopied?: number;
  blobsMounted?: number;
  blobsPresent?: number;
  manifestsPushed?: number;
  locked?: string | boolean;
  durationMs?: number;
}

export type CanaryStepKind = 'deploy' | 'weight' | 'pause' | 'analysis' | 'promote' | 'abort' | 'switch';

export interface CanaryMeasurement {
  at: string;
  value?: number;
  passed: boolean;
  error?: string;
  smoke?: { passed: number; failed: number; failures: string[] };
}

export interface CanaryAnalysis {
  passed: boolean;
  failures: number;
  measurements: CanaryMeasurement[];
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
  };
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
