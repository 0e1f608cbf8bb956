import { TaskError } from '../common/errors';
import { TaskContext, TaskOutcome } from '../common/runner';
import { DbBackend, StepResult } from './backend';
import { DbState, DesiredDb } from './model';
import { OracleDbProvisionOptions } from './options';
import { describeStep, isMissing, planAction } from './plan';
import { driftReport } from './drift';
import { chooseConnectionString, consumerGroupOf } from './tns';
import type { publishCredentials } from './publish/publish';

/** Publishing, loaded with the backend that needs it (execute.ts): Kubernetes and Azure SDKs only when asked. */
export type PublishCredentials = typeof publishCredentials;

/** OCI generates a wallet only for a database that is AVAILABLE or STOPPED. */
function requirePublishable(db: DbState): void {
  if (!['AVAILABLE', 'STOPPED'].includes(db.lifecycleState))
    throw new TaskError(
      `Cannot publish the credentials of '${db.displayName}' (${db.id}): it is ${db.lifecycleState}.`,
      'Run the task again once the database is AVAILABLE or STOPPED.',
    );
}

export function desiredFrom(o: OracleDbProvisionOptions): DesiredDb {
  return {
    compartmentId: o.compartmentId,
    displayName: o.displayName,
    dbName: o.dbName,
    dbWorkload: o.dbWorkload,
    computeModel: o.computeModel,
    computeCount: o.computeCount,
    dataStorageSizeInTBs: o.dataStorageSizeInTBs,
    isFreeTier: o.isFreeTier,
    whitelistedIps: o.whitelistedIps,
    isMtlsConnectionRequired: o.isMtlsConnectionRequired,
    subnetId: o.subnetId,
    nsgIds: o.nsgIds,
    privateEndpointLabel: o.privateEndpointLabel,
    licenseModel: o.licenseModel,
    dbVersion: o.dbVersion,
    isAutoScalingEnabled: o.isAutoScalingEnabled,
    isAutoScalingForStorageEnabled: o.isAutoScalingForStorageEnabled,
    kmsKeyId: o.kmsKeyId,
    vaultId: o.vaultId,
    freeformTags: o.freeformTags,
    definedTags: o.definedTags,
    backupRetentionPeriodInDays: o.backupRetentionPeriodInDays,
  };
}

/** Settling can take several rounds (a stop waits for a backup that waits for an update). */
const MAX_ROUNDS = 8;

/**
 * Looks, plans, carries out, and looks again until the plan is empty: the same loop converges
 * after a crash or a concurrent change, which makes every action idempotent.
 */
export async function executeWith(
  ctx: TaskContext,
  o: OracleDbProvisionOptions,
  backend: DbBackend,
  loadPublish: () => Promise<PublishCredentials>,
): Promise<TaskOutcome> {
  const desired = desiredFrom(o);
  const started = Date.now();
  const steps: Record<string, unknown>[] = [];
  const details = ctx.record.details;
  ctx.record.target = backend.target;
  details.action = o.action;
  details.target = o.target;
  details.displayName = o.displayName;
  details.steps = steps;

  let current = await backend.find();
  if (o.action === 'ensure' && current && !isMissing(current) && o.adminPassword) {
    ctx.host.info(
      'The database exists: adminPassword is used only to create it, so the ADMIN password was left unchanged.',
    );
  }
  let walletPath: string | undefined;
  let changed = false;
  note(details, current);
  // What differs before anything is done, field by field: in place, or blocking (needs a new database).
  if (
    ['ensure', 'clone', 'restore'].includes(o.action) &&
    current &&
    !isMissing(current) &&
    !(o.target === 'operator' && o.action === 'restore')
  )
    details.drift = driftReport(desired, current);
  for (let round = 0; ; round++) {
    if (round >= MAX_ROUNDS)
      throw new TaskError(
        `'${o.displayName}' kept changing state while the task worked on it.`,
        'Check for other pipelines or people operating on the same database.',
      );
    const clone = o.sourceDatabaseId
      ? {
          sourceId: o.sourceDatabaseId,
          cloneType: o.cloneType,
          timestamp: o.action === 'restore' ? o.restoreTimestamp : undefined,
        }
      : undefined;
    const restoreInPlace = o.action === 'restore' && o.target === 'operator' ? o.restoreTimestamp : undefined;
    const plan = planAction({
      action: o.action,
      desired,
      current,
      hasAdminPassword: backend.hasAdminPassword,
      clone: restoreInPlace ? undefined : clone,
      restoreInPlace,
    });
    if (!plan.length) break;
    if (round === 0 && plan[0].kind !== 'waitSettled')
      ctx.host.info(`Plan for '${o.displayName}': ${plan.map(describeStep).join('; ')}.`);
    for (const step of plan) {
      const t0 = Date.now();
      ctx.host.info(`${describeStep(step)}…`);
      // Recorded before it runs: a cancelled or failed run still says which step it was in.
      const entry: Record<string, unknown> = {
        step: step.kind,
        description: describeStep(step),
        startedAt: new Date(t0).toISOString(),
      };
      steps.push(entry);
      const result: StepResult =
        step.kind === 'waitSettled' ? await backend.waitSettled(current as DbState) : await backend.run(step, current);
      Object.assign(entry, {
        durationMs: Date.now() - t0,
        states: result.transitions,
        workRequestId: result.workRequestId,
        backupId: result.backupId,
      });
      if (step.kind !== 'waitSettled' && !result.unchanged) changed = true;
      if (result.walletPath) walletPath = result.walletPath;
      current = result.state ?? (step.kind === 'delete' ? undefined : await backend.find());
      note(details, current);
      if (step.kind === 'waitSettled') break;
    }
    // One-shot steps are done once carried out: the planner would ask for another backup or wallet.
    if (plan.some((s) => s.kind === 'backup' || s.kind === 'wallet' || s.kind === 'restoreInPlace')) break;
  }

  const gone = isMissing(current);
  const outputs: Record<string, string> = {};
  const id = current?.id || (details.autonomousDatabaseId as string | undefined);
  if (id) outputs.autonomousDatabaseId = id;
  outputs.lifecycleState = gone ? 'TERMINATED' : current!.lifecycleState;
  if (!gone) {
    const group = o.connectionProfile === 'auto' ? undefined : o.connectionProfile;
    const profile = chooseConnectionString(
      current!.connectionProfiles,
      o.dbWorkload,
      current!.isMtlsConnectionRequired ?? o.isMtlsConnectionRequired,
      group,
    );
    if (profile && group && consumerGroupOf(profile) !== group.toUpperCase()) {
      ctx.host.warn(
        `The database offers no ${group.toUpperCase()} connection profile (a ${o.dbWorkload} database); connectionString uses ${profile.displayName} instead.`,
      );
    }
    if (profile) {
      outputs.connectionString = profile.value;
      details.connectionProfile = profile.displayName;
    }
    if (o.publish) {
      requirePublishable(current!);
      const material = await backend.publishMaterial(current!);
      details.published = await (await loadPublish())(ctx, o, current!, profile, material);
    }
  }
  if (walletPath) outputs.walletPath = walletPath;
  details.durationMs = Date.now() - started;
  details.changed = changed;
  const verb = changed ? DONE[o.action] : 'already as requested, nothing changed';
  const summary = `${o.action} '${o.displayName}': ${verb} (${outputs.lifecycleState})`;
  ctx.record.summary = summary;
  return { message: `Autonomous Database ${summary}.`, outputs };
}

const DONE: Record<OracleDbProvisionOptions['action'], string> = {
  ensure: 'converged',
  clone: 'cloned and converged',
  restore: 'restored into a new database and converged',
  scale: 'scaled',
  start: 'started',
  stop: 'stopped',
  backup: 'backed up',
  wallet: 'wallet downloaded',
  delete: 'deleted',
};

/** Keeps the record current while the task runs, so a cancelled run tells where it stopped. */
export function note(details: Record<string, unknown>, current: DbState | undefined): void {
  if (current?.id) details.autonomousDatabaseId = current.id;
  details.lifecycleState = current?.lifecycleState ?? 'NOT_FOUND';
}
