import { TaskError } from '../common/errors';
import { UpdateGroup, computeDrift, driftBlockers, driftUpdates } from './drift';
import { DbState, DesiredDb, FAILED_STATES, GONE_STATES, TRANSITIONAL_STATES } from './model';
import { DbAction } from './options';
import { ProductionSettings, productionCreateFields } from './production';

/** Everything `ensure` sends to create a database, except the password (added by the adapter). */
export interface CreateSpec extends ProductionSettings {
  compartmentId: string;
  displayName: string;
  dbName: string;
  dbWorkload: string;
  computeModel: string;
  computeCount?: number;
  dataStorageSizeInTBs?: number;
  isFreeTier: boolean;
  whitelistedIps?: string[];
  isMtlsConnectionRequired: boolean;
}

export type Step =
  | { kind: 'waitSettled'; state: string }
  | { kind: 'create'; spec: CreateSpec; clone?: CloneSource }
  | { kind: 'update'; group: UpdateGroup }
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'backup' }
  | { kind: 'wallet' }
  | { kind: 'restoreInPlace'; timestamp: string }
  | { kind: 'delete' };

export interface PlanInput {
  action: DbAction;
  desired: DesiredDb;
  /** The database found by display name, if any (TERMINATED ones count as missing). */
  current?: DbState;
  /** Whether adminPassword or adminPasswordSecretId is set: needed only to create. */
  hasAdminPassword: boolean;
  /** For `clone`: what to clone when the database does not exist yet. */
  clone?: CloneSource;
  /** For `restore` through the operator: the point in time the database itself is restored to (in place). */
  restoreInPlace?: string;
}

/** Where a `clone` or `restore` copies from; `timestamp` makes it a point-in-time restore from backups. */
export interface CloneSource {
  sourceId: string;
  cloneType: 'FULL' | 'METADATA' | 'REFRESHABLE';
  timestamp?: string;
}

export function isMissing(current: DbState | undefined): current is undefined {
  return !current || GONE_STATES.has(current.lifecycleState);
}

function notFound(desired: DesiredDb, action: string): TaskError {
  return new TaskError(
    `No Autonomous Database named '${desired.displayName}' exists in compartment ${desired.compartmentId}, so there is nothing to ${action}.`,
    "Check displayName and compartmentId, or run the 'ensure' action first.",
  );
}

function requireState(current: DbState, states: string[], action: string, hint: string): void {
  if (!states.includes(current.lifecycleState)) {
    throw new TaskError(
      `Cannot ${action} '${current.displayName}' (${current.id}): it is ${current.lifecycleState}, and ${action} needs ${states.join(' or ')}.`,
      hint,
    );
  }
}

export function createSpec(desired: DesiredDb): CreateSpec {
  if (!desired.dbName)
    throw new TaskError(
      `No database named '${desired.displayName}' exists yet, and input 'dbName' is empty.`,
      "Set 'dbName' (letter first, at most 30 letters and digits) so ensure can create it.",
    );
  return {
    compartmentId: desired.compartmentId,
    displayName: desired.displayName,
    dbName: desired.dbName,
    dbWorkload: desired.dbWorkload,
    computeModel: desired.computeModel,
    // Always Free databases come with fixed compute and storage; OCI ignores or rejects sizes.
    computeCount: desired.isFreeTier ? undefined : desired.computeCount,
    dataStorageSizeInTBs: desired.isFreeTier ? undefined : desired.dataStorageSizeInTBs,
    isFreeTier: desired.isFreeTier,
    whitelistedIps: desired.whitelistedIps.length ? desired.whitelistedIps : undefined,
    isMtlsConnectionRequired: desired.isMtlsConnectionRequired,
    ...productionCreateFields(desired),
  };
}

/**
 * The operations that bring the database where the action wants it, from its current state.
 * A database still in transition yields a single waitSettled step: the caller waits, reads the
 * state again and plans anew, so every decision is made on a settled state. An empty plan means
 * the database already is as asked (idempotence). Impossible requests throw before any change.
 */
export function planAction(input: PlanInput): Step[] {
  const { action, desired } = input;
  const current = isMissing(input.current) ? undefined : input.current;
  if (current && TRANSITIONAL_STATES.has(current.lifecycleState))
    return [{ kind: 'waitSettled', state: current.lifecycleState }];
  if (current && FAILED_STATES.has(current.lifecycleState) && action !== 'delete') {
    throw new TaskError(
      `Autonomous Database '${current.displayName}' (${current.id}) is ${current.lifecycleState}; OCI cannot ${action} it in that state.`,
      'Check the database in the OCI console (work requests, Service Health) or open a support request; the delete action still works.',
    );
  }

  if (action === 'restore' && input.restoreInPlace) {
    if (!current) throw notFound(desired, 'restore');
    requireState(current, ['AVAILABLE', 'STOPPED'], 'restore', 'Wait for the current operation to finish.');
    return [{ kind: 'restoreInPlace', timestamp: input.restoreInPlace }];
  }
  switch (action) {
    case 'clone':
    case 'restore':
    case 'ensure': {
      if (!current) {
        if (!input.hasAdminPassword)
          throw new TaskError(
            `No database named '${desired.displayName}' exists yet, and no ADMIN password is set.`,
            "Set 'adminPassword' (from a secret variable) or 'adminPasswordSecretId' so ensure can create it.",
          );
        // A clone is created once; afterwards `clone` converges the copy like `ensure` (idempotent re-runs).
        return [
          {
            kind: 'create',
            spec: createSpec(desired),
            ...(action !== 'ensure' && input.clone ? { clone: input.clone } : {}),
          },
        ];
      }
      const blockers = driftBlockers(desired, current);
      if (blockers.length) {
        throw new TaskError(
          `Cannot converge '${current.displayName}' (${current.id}) in place: ${blockers.join('; ')}.`,
          'Nothing was changed, and the task never deletes a database unless asked: delete it (action: delete, confirmDelete: true) and run ensure again, or create the new database under another display name.',
        );
      }
      const groups = driftUpdates(desired, current);
      if (groups.length)
        requireState(
          current,
          ['AVAILABLE'],
          `update ${groups.flatMap((g) => g.changes.map((c) => c.field)).join(', ')} of`,
          "Run the 'start' action first, or stop converging those settings.",
        );
      return groups.map((group) => ({ kind: 'update', group }));
    }
    case 'scale': {
      if (!current) throw notFound(desired, 'scale');
      if (current.isFreeTier)
        throw new TaskError(
          `'${current.displayName}' is an Always Free database; OCI does not scale those.`,
          'Upgrade it with ensure and isFreeTier: false first.',
        );
      const group = computeDrift(desired, current);
      if (!group) return [];
      requireState(current, ['AVAILABLE'], 'scale', "Run the 'start' action first.");
      return [{ kind: 'update', group }];
    }
    case 'start':
      if (!current) throw notFound(desired, 'start');
      if (current.lifecycleState === 'AVAILABLE') return [];
      requireState(
        current,
        ['STOPPED'],
        'start',
        'Wait for the current operation or check the database in the OCI console.',
      );
      return [{ kind: 'start' }];
    case 'stop':
      if (!current) throw notFound(desired, 'stop');
      if (current.lifecycleState === 'STOPPED') return [];
      requireState(
        current,
        ['AVAILABLE', 'AVAILABLE_NEEDS_ATTENTION'],
        'stop',
        'Check the database in the OCI console.',
      );
      return [{ kind: 'stop' }];
    case 'backup':
      if (!current) throw notFound(desired, 'back up');
      if (current.isFreeTier)
        throw new TaskError(
          `'${current.displayName}' is an Always Free database; OCI takes its backups automatically and offers no manual backups.`,
          'Remove the backup step for Always Free databases.',
        );
      requireState(current, ['AVAILABLE'], 'back up', "Run the 'start' action first.");
      return [{ kind: 'backup' }];
    case 'wallet':
      if (!current) throw notFound(desired, 'download the wallet of');
      requireState(
        current,
        ['AVAILABLE', 'STOPPED'],
        'download the wallet of',
        'Wait for the current operation to finish.',
      );
      return [{ kind: 'wallet' }];
    case 'delete':
      return current ? [{ kind: 'delete' }] : [];
  }
}

/** One line per step for the log and the ledger (never a password). */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'waitSettled':
      return `wait for ${step.state} to finish`;
    case 'create': {
      const s = step.spec;
      const extras = [
        s.subnetId ? `private endpoint in ${s.subnetId}` : '',
        s.licenseModel === 'BRING_YOUR_OWN_LICENSE' ? 'BYOL' : '',
        s.dbVersion ?? '',
        s.kmsKeyId ? 'customer-managed key' : '',
        s.isAutoScalingEnabled ? 'compute auto scaling' : '',
        s.isAutoScalingForStorageEnabled ? 'storage auto scaling' : '',
      ].filter(Boolean);
      const c = step.clone;
      const from = !c
        ? ''
        : c.timestamp
          ? ` restored (${c.cloneType.toLowerCase()}) from ${c.sourceId} as of ${c.timestamp}`
          : ` as a ${c.cloneType.toLowerCase()} clone of ${c.sourceId}`;
      return `create ${s.dbName}${from} (${s.dbWorkload}, ${s.isFreeTier ? 'Always Free' : `${s.computeCount} ${s.computeModel}, ${s.dataStorageSizeInTBs} TB`}${extras.map((e) => `, ${e}`).join('')})`;
    }
    case 'restoreInPlace':
      return `restore in place to ${step.timestamp} (every change after it is discarded)`;
    case 'update':
      return `update ${step.group.changes.map((c) => `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(', ')}`;
    default:
      return step.kind;
  }
}
