/**
 * The ledger record: the one contract between the tasks that write records (tasks/common/runner.ts
 * through ledger.ts) and the Promotions hub that reads them (hub/src/data). Browser-safe: no Node
 * imports, so the hub bundles the validator next to these types. Bump RECORD_SCHEMA_VERSION (and the
 * schema id) on any change that an older hub could misread; adding an optional field is not one.
 */
import type {
  AcrPromoteDetails,
  CanaryShiftDetails,
  KeyVaultToOciDetails,
  OracleDbProvisionDetails,
  SmokeTestDetails,
} from './details';

/** The attachment type the hub lists with getAttachments; part of the public contract with the hub. */
export const LEDGER_ATTACHMENT_TYPE = 'multicloud-devsecops.ledger';
export const RECORD_SCHEMA_VERSION = 1;
export const LEDGER_SCHEMA = 'multicloud-devsecops.ledger/v1';
/**
 * Every run that used one of the tasks carries this build tag (##vso[build.addbuildtag]), so the hub
 * lists exactly those runs with `build/builds?tagFilters=` however many other runs the project has.
 */
export const LEDGER_BUILD_TAG = 'multicloud-devsecops';

export type TaskName = 'AcrPromote' | 'CanaryShift' | 'SmokeTest' | 'KeyVaultToOci' | 'OracleDbProvision';
export const TASK_NAMES: readonly TaskName[] = [
  'AcrPromote',
  'CanaryShift',
  'SmokeTest',
  'KeyVaultToOci',
  'OracleDbProvision',
];
export type RecordStatus = 'succeeded' | 'succeededWithIssues' | 'failed' | 'cancelled';
export const RECORD_STATUSES: readonly RecordStatus[] = ['succeeded', 'succeededWithIssues', 'failed', 'cancelled'];

/**
 * The run as the agent's predefined variables describe it. The hub never trusts these for identity
 * (it reads the Build API for the build the attachment belongs to); they only help people reading
 * the raw file, and let the hub flag a record that claims another run.
 */
export interface RecordRun {
  collectionUri?: string;
  project?: string;
  pipeline?: string;
  definitionId?: string;
  buildId?: string;
  buildNumber?: string;
  stage?: string;
  stageAttempt?: string;
  job?: string;
  environment?: string;
  requestedFor?: string;
  sourceBranch?: string;
  sourceVersion?: string;
}

/** What was promoted (or canaried) and where: the hub's matrix keys on these. */
export interface ArtifactRef {
  /**
   * The path without the registry (shop/web): the hub's matrix row key, so an app promoted from a
   * non-prod to a prod registry, then canaried, stays one row.
   */
  repository: string;
  /** host[:port] where this record found or put it. */
  registry?: string;
  digest?: string;
  tags?: string[];
}

/** Task → the shape of its `details`. */
export interface DetailsByTask {
  AcrPromote: AcrPromoteDetails;
  CanaryShift: CanaryShiftDetails;
  SmokeTest: SmokeTestDetails;
  KeyVaultToOci: KeyVaultToOciDetails;
  OracleDbProvision: OracleDbProvisionDetails;
}

/** One task run's account of what it did. Never holds a secret value: the runner redacts it anyway. */
export interface LedgerRecord {
  schema: typeof LEDGER_SCHEMA;
  id: string;
  task: TaskName;
  taskVersion: string;
  status: RecordStatus;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  run: RecordRun;
  /** Deployment environment (Environment.Name, else the stage name). */
  environment?: string;
  /** Secret-free description of what was acted on: registry, cluster/namespace, URL, vault. */
  target?: string;
  /** Only tasks that place or canary a version: AcrPromote, CanaryShift. */
  artifact?: ArtifactRef;
  /** One line a person reads first. */
  summary: string;
  /** Task-specific facts: see details.ts. Typed loosely here because a failed run fills only part of it. */
  details: Record<string, unknown>;
  error?: string;
}
