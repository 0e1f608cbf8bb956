import { RetryPolicy } from '../common/retry-policy';
import { TaskContext } from '../common/runner';
import { DbState } from './model';
import { OracleDbProvisionOptions } from './options';
import { Step } from './plan';
import { PollSchedule, Transition } from './wait';
import type { PublishMaterial } from './publish/publish';

/** What one executed step did, for the log and the ledger. */
export interface StepResult {
  state?: DbState;
  transitions: Transition[];
  walletPath?: string;
  backupId?: string;
  workRequestId?: string;
  /** The step found its work already done (e.g. a restore a previous run carried out): nothing changed. */
  unchanged?: boolean;
}

/**
 * One way of reaching Autonomous Databases (the OCI API, or the Oracle Database Operator). The
 * planner decides what to do; a backend only looks and carries out single steps, waiting until
 * each has finished.
 */
export interface DbBackend {
  /** Secret-free description of where the database lives, for the ledger's `target`. */
  readonly target: string;
  /** Whether an ADMIN password is available for creating the database. */
  readonly hasAdminPassword: boolean;
  find(): Promise<DbState | undefined>;
  waitSettled(current: DbState): Promise<StepResult>;
  run(step: Exclude<Step, { kind: 'waitSettled' }>, current: DbState | undefined): Promise<StepResult>;
  /** For publishing: the current wallet (identified without downloading it) and where the ADMIN password lives. */
  publishMaterial(current: DbState): Promise<PublishMaterial>;
}

export interface BackendDeps {
  poll: PollSchedule;
  /** Retries of single API calls; the project's default policy unless a test shortens it. */
  retry?: RetryPolicy;
}

export type BackendFactory = (
  ctx: TaskContext,
  options: OracleDbProvisionOptions,
  deps: BackendDeps,
) => Promise<DbBackend>;
