/**
 * The hub's view of the ledger and of Azure DevOps. The record schema comes from the one module
 * the tasks write with (tasks/common/record, browser-safe), so the two cannot drift apart.
 */
import type { LedgerRecord as WrittenRecord, RecordStatus, TaskName } from '../../../tasks/common/record';
import { LEDGER_ATTACHMENT_TYPE, LEDGER_BUILD_TAG, TASK_NAMES } from '../../../tasks/common/record';

export type { RecordStatus, TaskName };
export { LEDGER_BUILD_TAG, TASK_NAMES };
export const LEDGER_TYPE = LEDGER_ATTACHMENT_TYPE;

/**
 * A record as the hub shows it: its `run` identity is replaced by what the Build API says about the
 * build the attachment belongs to; `flag` says why it is not trusted (then it stays out of the matrix).
 */
export interface LedgerRecord extends WrittenRecord {
  flag?: string;
}

/** The part of an ADO Build the hub keeps (REST: build/builds). */
export interface RunRef {
  id: number;
  buildNumber: string;
  definitionId?: number;
  definitionName?: string;
  status: string;
  result?: string;
  queueTime?: string;
  finishTime?: string;
  requestedFor?: string;
  sourceBranch?: string;
  sourceVersion?: string;
  /** Build.Reason: manual, individualCI, pullRequest, schedule… */
  reason?: string;
  tags?: string[];
}

/** A check or approval a running run is waiting on (read from its timeline, never cached). */
export interface PendingGate {
  /** Stage identifier (System.StageName), else its display name. */
  stage: string;
  stageName: string;
  gate: string;
  kind: GateKind;
  since?: string;
  /** Approvers still to decide. */
  waitingOn: string[];
}

/** A run's parsed ledger records; immutable once the run completed, hence cacheable. */
export interface RunEntry {
  run: RunRef;
  records: LedgerRecord[];
  /** Stage order of this run's pipeline, when its timeline was read (name → order). */
  stageOrder?: string[];
  /** Read from the cache, which keeps no task details: the Run view reads the attachments again. */
  slim?: boolean;
  /** Only for runs in progress: what they are waiting on. */
  pending?: PendingGate[];
  /** Completed runs a matrix cell shows: each stage's approval (read once, cached with the run). */
  gates?: import('./run-gates').StageGate[];
}

export type GateKind = 'approval' | 'check' | 'checkpoint';

export interface GateView {
  id: string;
  kind: GateKind;
  name: string;
  state: string;
  result?: string;
  startTime?: string;
  finishTime?: string;
  durationMs?: number;
  /** Approvals: who decided, when, with which comment. */
  approvers: { name: string; status: string; when?: string; comment?: string }[];
  instructions?: string;
}

export interface StageView {
  id: string;
  name: string;
  identifier?: string;
  order: number;
  attempt: number;
  state: string;
  result?: string;
  startTime?: string;
  finishTime?: string;
  durationMs?: number;
  /** Time spent waiting on checks and approvals before the stage's jobs could start. */
  waitMs?: number;
  gates: GateView[];
  jobs: { name: string; result?: string; durationMs?: number }[];
}

export interface MatrixCell {
  repository: string;
  environment: string;
  record: LedgerRecord;
  /** Older records for the same cell, newest first (the cell's history). */
  previous: number;
}

export interface Matrix {
  environments: string[];
  rows: { repository: string; cells: Record<string, MatrixCell | undefined> }[];
}

export interface EnvironmentRef {
  id: number;
  name: string;
  lastDeployment?: { runId: number; stageName?: string; result?: string; finishTime?: string; definitionName?: string };
  /** Runs with a deployment record for this environment (the proof a record's run deployed there). */
  deployedRuns?: number[];
}

export interface HubData {
  runs: RunEntry[];
  records: LedgerRecord[];
  environments: EnvironmentRef[];
  stageOrder: string[];
  /** Runs still in progress or skipped because their data could not be read. */
  partial: { runId: number; reason: string }[];
}
