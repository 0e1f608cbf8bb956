import { ociRetryToken } from '../../common/oci/retry-token';
import type { models } from 'oci-database';
import { TaskError } from '../../common/errors';
import { TaskContext } from '../../common/runner';
import { BackendDeps, BackendFactory, DbBackend, StepResult } from '../backend';
import { DbState, FAILED_STATES, TRANSITIONAL_STATES } from '../model';
import { OracleDbProvisionOptions } from '../options';
import { Step } from '../plan';
import { note } from '../run-plan';
import { pollUntil } from '../wait';
import { OciClients, createOciClients, ociFailure } from './clients';
import { readAdminPasswordSecret } from './secret';
import { downloadWallet, generateWallet, walletIdentity } from './wallet';
import type { PublishMaterial } from '../publish/publish';

type AdbLike = Pick<
  models.AutonomousDatabase,
  | 'id'
  | 'compartmentId'
  | 'displayName'
  | 'lifecycleState'
  | 'dbName'
  | 'dbWorkload'
  | 'computeModel'
  | 'computeCount'
  | 'dataStorageSizeInTBs'
  | 'isFreeTier'
  | 'whitelistedIps'
  | 'isMtlsConnectionRequired'
  | 'connectionStrings'
  | 'subnetId'
  | 'nsgIds'
  | 'privateEndpointLabel'
  | 'licenseModel'
  | 'dbVersion'
  | 'isAutoScalingEnabled'
  | 'isAutoScalingForStorageEnabled'
  | 'kmsKeyId'
  | 'vaultId'
  | 'freeformTags'
  | 'definedTags'
  | 'backupRetentionPeriodInDays'
>;

export function stateFromOci(db: AdbLike): DbState {
  return {
    id: db.id,
    compartmentId: db.compartmentId,
    displayName: db.displayName ?? '',
    lifecycleState: String(db.lifecycleState),
    dbName: db.dbName,
    dbWorkload: db.dbWorkload,
    computeModel: db.computeModel,
    computeCount: db.computeCount,
    dataStorageSizeInTBs: db.dataStorageSizeInTBs,
    isFreeTier: db.isFreeTier === true,
    whitelistedIps: db.whitelistedIps ?? [],
    isMtlsConnectionRequired: db.isMtlsConnectionRequired,
    subnetId: db.subnetId,
    nsgIds: db.nsgIds,
    privateEndpointLabel: db.privateEndpointLabel,
    licenseModel:
      db.licenseModel === 'BRING_YOUR_OWN_LICENSE' || db.licenseModel === 'LICENSE_INCLUDED'
        ? db.licenseModel
        : undefined,
    dbVersion: db.dbVersion,
    isAutoScalingEnabled: db.isAutoScalingEnabled,
    isAutoScalingForStorageEnabled: db.isAutoScalingForStorageEnabled,
    // OCI reports Oracle-managed encryption as kmsKeyId "ORACLE_MANAGED_KEY".
    kmsKeyId: db.kmsKeyId && db.kmsKeyId.startsWith('ocid1.') ? db.kmsKeyId : undefined,
    vaultId: db.vaultId,
    freeformTags: db.freeformTags,
    definedTags: db.definedTags,
    backupRetentionPeriodInDays: db.backupRetentionPeriodInDays,
    connectionProfiles: (db.connectionStrings?.profiles ?? []).map((p) => ({
      displayName: p.displayName,
      value: p.value,
      consumerGroup: p.consumerGroup,
      protocol: p.protocol,
      tlsAuthentication:
        p.tlsAuthentication === 'MUTUAL' ? 'MUTUAL' : p.tlsAuthentication === 'SERVER' ? 'SERVER' : undefined,
      hostFormat: p.hostFormat,
      syntaxFormat: p.syntaxFormat,
    })),
  };
}

/**
 * opc-retry-token: the same for the same run, job attempt, database and operation, so a request
 * repeated after a lost response (or a crashed agent within the job) cannot create twice.
 */
export function retryToken(
  ctx: Pick<TaskContext, 'run' | 'host'>,
  o: Pick<OracleDbProvisionOptions, 'compartmentId' | 'displayName'>,
  operation: string,
  predecessors: string[] = [],
): string {
  const r = ctx.run;
  // Terminated databases of the same name are part of the key: OCI replays a token's first answer
  // for 24 h, so a create after a delete in the same run must not get the deleted database back.
  const parts: (string | undefined)[] = [
    r.collectionUri,
    r.project,
    r.buildId,
    r.stage,
    r.job,
    ctx.host.variable('System.JobAttempt'),
    o.compartmentId,
    o.displayName,
    operation,
    ...predecessors,
  ];
  return ociRetryToken(parts);
}

class OciBackend implements DbBackend {
  readonly target: string;
  readonly hasAdminPassword: boolean;
  /** Terminated databases of this display name, seen by the last find(). */
  private predecessors: string[] = [];

  constructor(
    private readonly ctx: TaskContext,
    private readonly o: OracleDbProvisionOptions,
    private readonly api: OciClients,
    private readonly deps: BackendDeps,
  ) {
    this.target = `OCI ${o.oci!.region} ${o.compartmentId} / ${o.displayName}`;
    this.hasAdminPassword = Boolean(o.adminPassword || o.adminPasswordSecretId);
  }

  async find(): Promise<DbState | undefined> {
    if (this.o.autonomousDatabaseId) {
      const adopted = await this.get(this.o.autonomousDatabaseId);
      if (!adopted || adopted.lifecycleState === 'TERMINATED') {
        if (this.o.action === 'delete') return undefined;
        throw new TaskError(
          `Autonomous Database ${this.o.autonomousDatabaseId} (autonomousDatabaseId) does not exist or is terminated.`,
          "Check the OCID and the connection's region, or clear autonomousDatabaseId to find or create the database by display name.",
        );
      }
      return adopted;
    }
    const items: AdbLike[] = [];
    try {
      for await (const db of this.api.database.listAllAutonomousDatabases({
        compartmentId: this.o.compartmentId,
        displayName: this.o.displayName,
      }))
        items.push(db);
    } catch (err) {
      throw ociFailure(err, `list the Autonomous Databases of compartment ${this.o.compartmentId}`);
    }
    const live = items.filter((d) => d.lifecycleState !== 'TERMINATED');
    this.predecessors = items
      .filter((d) => d.lifecycleState === 'TERMINATED')
      .map((d) => d.id)
      .sort();
    // OCI does not make display names unique: refuse to guess which database is meant.
    if (live.length > 1)
      throw new TaskError(
        `${live.length} Autonomous Databases are named '${this.o.displayName}' in compartment ${this.o.compartmentId}: ${live.map((d) => d.id).join(', ')}.`,
        'Rename all but one in the OCI console, or use another display name.',
      );
    return live[0] ? this.get(live[0].id) : undefined;
  }

  private async get(id: string): Promise<DbState | undefined> {
    try {
      return stateFromOci(
        (await this.api.database.getAutonomousDatabase({ autonomousDatabaseId: id })).autonomousDatabase,
      );
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw ociFailure(err, `read Autonomous Database ${id}`);
    }
  }

  async waitSettled(current: DbState): Promise<StepResult> {
    return this.waitFor(current.id, undefined, (s) => !TRANSITIONAL_STATES.has(s));
  }

  async run(step: Exclude<Step, { kind: 'waitSettled' }>, current: DbState | undefined): Promise<StepResult> {
    const db = this.api.database;
    const id = current?.id ?? '';
    const state = current?.lifecycleState ?? '';
    switch (step.kind) {
      case 'create': {
        const adminPassword =
          this.o.adminPassword ??
          (await readAdminPasswordSecret(this.ctx, this.api.secrets, this.o.adminPasswordSecretId!));
        // CreateAutonomousDatabaseBase.source: NONE, DATABASE (CreateAutonomousDatabaseCloneDetails: sourceId,
        // cloneType FULL|METADATA) or CLONE_TO_REFRESHABLE (CreateRefreshableAutonomousDatabaseCloneDetails).
        const c = step.clone;
        // BACKUP_FROM_TIMESTAMP (CreateAutonomousDatabaseFromBackupTimestampDetails): point-in-time restore into a new database.
        const source = !c
          ? { source: 'NONE' }
          : c.timestamp
            ? {
                source: 'BACKUP_FROM_TIMESTAMP',
                autonomousDatabaseId: c.sourceId,
                cloneType: c.cloneType,
                timestamp: new Date(c.timestamp),
              }
            : c.cloneType === 'REFRESHABLE'
              ? { source: 'CLONE_TO_REFRESHABLE', sourceId: c.sourceId, refreshableMode: 'MANUAL' }
              : { source: 'DATABASE', sourceId: c.sourceId, cloneType: c.cloneType };
        const details = { ...step.spec, adminPassword, ...source } as unknown as models.CreateAutonomousDatabaseDetails;
        let res: Awaited<ReturnType<typeof db.createAutonomousDatabase>>;
        try {
          res = await db.createAutonomousDatabase({
            createAutonomousDatabaseDetails: details,
            opcRetryToken: retryToken(this.ctx, this.o, 'create', this.predecessors),
          });
        } catch (err) {
          throw ociFailure(err, `create Autonomous Database '${this.o.displayName}'`);
        }
        this.ctx.host.info(`Creating ${res.autonomousDatabase.id}.`);
        note(this.ctx.record.details, stateFromOci(res.autonomousDatabase));
        return this.waitFor(res.autonomousDatabase.id, res.opcWorkRequestId, (s) => s === 'AVAILABLE');
      }
      case 'update':
        return this.operate(
          id,
          state,
          `update ${step.group.changes.map((c) => c.field).join(', ')} of ${id}`,
          () =>
            db.updateAutonomousDatabase({
              autonomousDatabaseId: id,
              updateAutonomousDatabaseDetails: step.group.details,
            }),
          (s) => s === 'AVAILABLE',
        );
      case 'start':
        return this.operate(
          id,
          state,
          `start ${id}`,
          () => db.startAutonomousDatabase({ autonomousDatabaseId: id }),
          (s) => s === 'AVAILABLE',
        );
      case 'stop':
        return this.operate(
          id,
          state,
          `stop ${id}`,
          () => db.stopAutonomousDatabase({ autonomousDatabaseId: id }),
          (s) => s === 'STOPPED',
        );
      case 'delete':
        return this.operate(
          id,
          state,
          `delete ${id}`,
          () => db.deleteAutonomousDatabase({ autonomousDatabaseId: id }),
          (s) => s === 'TERMINATED',
          true,
        );
      case 'backup':
        return this.backup(id);
      case 'restoreInPlace':
        // Validation sends an in-place restore only to the operator (the OCI API's restore makes a new database).
        throw new TaskError('An in-place restore is carried out through the operator only.', 'Use target: operator.');
      case 'wallet': {
        const walletPath = await downloadWallet(this.ctx, db, current!, this.o.walletPassword!);
        return { state: current, transitions: [], walletPath };
      }
    }
  }

  /** The wallet is identified by GetAutonomousDatabaseWallet; the zip is generated only if a destination needs it. */
  async publishMaterial(current: DbState): Promise<PublishMaterial> {
    const db = this.api.database;
    return {
      walletIdentity: await walletIdentity(db, current),
      walletZip: () => generateWallet(db, current, this.o.walletPassword!),
      adminPasswordRef: this.o.adminPasswordSecretId
        ? { kind: 'ociVaultSecret', secretId: this.o.adminPasswordSecretId }
        : undefined,
    };
  }

  /**
   * Sends one state-changing request and follows it. A 409 IncorrectState while the database is
   * in transition (our own request whose answer was lost and then retried, or someone else's
   * operation) is not a failure: wait for the database to settle and let the planner look again.
   */
  private async operate(
    id: string,
    before: string,
    what: string,
    send: () => Promise<{ opcWorkRequestId?: string }>,
    done: (state: string) => boolean,
    goneIsDone = false,
  ): Promise<StepResult> {
    let workRequestId: string | undefined;
    try {
      workRequestId = (await send()).opcWorkRequestId;
    } catch (err) {
      const e = err as { statusCode?: number; serviceCode?: string };
      const now = e.statusCode === 409 && e.serviceCode === 'IncorrectState' ? await this.get(id) : undefined;
      // Already where the request would have taken it (and not where it was): the request was ours.
      if (now && done(now.lifecycleState) && now.lifecycleState !== before) return { state: now, transitions: [] };
      if (!now || !TRANSITIONAL_STATES.has(now.lifecycleState)) throw ociFailure(err, what);
      this.ctx.host.info(
        `OCI answered 409 IncorrectState: ${id} is ${now.lifecycleState}. Waiting for it to settle, then planning again.`,
      );
      return this.waitFor(id, undefined, (s) => !TRANSITIONAL_STATES.has(s), true);
    }
    return this.waitFor(id, workRequestId, done, goneIsDone);
  }

  private async backup(id: string): Promise<StepResult> {
    const displayName =
      `${this.o.displayName}-${this.ctx.run.buildNumber ?? this.ctx.run.buildId ?? 'manual'}-${new Date().toISOString().replace(/[:.]/g, '-')}`.slice(
        0,
        255,
      );
    let created: models.AutonomousDatabaseBackup;
    let workRequestId: string | undefined;
    try {
      const res = await this.api.database.createAutonomousDatabaseBackup({
        createAutonomousDatabaseBackupDetails: { autonomousDatabaseId: id, displayName },
        opcRetryToken: retryToken(this.ctx, this.o, `backup ${displayName}`),
      });
      created = res.autonomousDatabaseBackup;
      workRequestId = res.opcWorkRequestId;
    } catch (err) {
      throw ociFailure(err, `back up ${id}`);
    }
    this.ctx.host.info(`Backup ${created.id} (${created.displayName}) started.`);
    const { transitions } = await pollUntil(
      `backup ${created.displayName}`,
      async () => {
        try {
          return (await this.api.database.getAutonomousDatabaseBackup({ autonomousDatabaseBackupId: created.id }))
            .autonomousDatabaseBackup;
        } catch (err) {
          throw ociFailure(err, `read backup ${created.id}`);
        }
      },
      (b) => ({
        state: String(b.lifecycleState),
        done: b.lifecycleState === 'ACTIVE',
        failure:
          b.lifecycleState === 'FAILED' || b.lifecycleState === 'DELETED'
            ? new TaskError(
                `Backup ${b.id} of ${id} ended ${b.lifecycleState}${b.lifecycleDetails ? `: ${b.lifecycleDetails}` : ''}.`,
                'Check the database and its work requests in the OCI console, then run the backup again.',
              )
            : undefined,
      }),
      this.waitContext(),
    );
    const settled = await this.waitFor(id, workRequestId, (s) => !TRANSITIONAL_STATES.has(s));
    return { ...settled, transitions: [...transitions, ...settled.transitions], backupId: created.id };
  }

  /** Follows the work request (when there is one) and the database's lifecycle state together. */
  private async waitFor(
    id: string,
    workRequestId: string | undefined,
    done: (state: string) => boolean,
    goneIsDone = false,
  ): Promise<StepResult> {
    let wrDone = !workRequestId;
    let wrLabel = '';
    // The database first, then its work request: a database seen failed is then always explained
    // by the work request's own errors, whichever of the two OCI updated first.
    const read = async (): Promise<DbState | undefined> => {
      const db = await this.get(id);
      if (workRequestId && !wrDone) {
        try {
          const wr = (await this.api.workRequests.getWorkRequest({ workRequestId })).workRequest;
          wrLabel = `, work request ${wr.status} ${Math.round(wr.percentComplete ?? 0)}%`;
          if (wr.status === 'FAILED' || wr.status === 'CANCELED')
            throw await this.workRequestFailure(workRequestId, wr.operationType, String(wr.status));
          wrDone = wr.status === 'SUCCEEDED';
        } catch (err) {
          throw ociFailure(err, `read work request ${workRequestId}`);
        }
        // Read once more after success, so nothing is judged on a state from before the change.
        if (wrDone) return this.get(id);
      }
      return db;
    };
    const { value, transitions } = await pollUntil(
      `Autonomous Database ${id}`,
      read,
      (db) => {
        const state = db?.lifecycleState ?? 'TERMINATED';
        if (db) note(this.ctx.record.details, db);
        const failed = (FAILED_STATES.has(state) || state === 'TERMINATED') && !done(state);
        return {
          state: `${state}${wrLabel}`,
          done: wrDone && (db ? done(state) : goneIsDone),
          failure: failed
            ? new TaskError(
                `Autonomous Database ${id} became ${state}.`,
                state === 'TERMINATED'
                  ? 'Someone deleted it meanwhile; run the task again.'
                  : 'Check its work requests in the OCI console; OCI support can recover an UNAVAILABLE database.',
              )
            : !db && !goneIsDone
              ? new TaskError(
                  `Autonomous Database ${id} disappeared while the task waited for it.`,
                  'Check whether someone deleted it.',
                )
              : undefined,
        };
      },
      this.waitContext(),
    );
    return { state: value, transitions, workRequestId };
  }

  private async workRequestFailure(workRequestId: string, operation: string, status: string): Promise<TaskError> {
    let reasons = '';
    try {
      const res = await this.api.workRequests.listWorkRequestErrors({ workRequestId });
      reasons = res.items.map((e) => `${e.code}: ${e.message}`).join('; ');
    } catch {
      // The failure itself is what matters; its details are a bonus.
    }
    return new TaskError(
      `OCI work request ${workRequestId} (${operation}) ${status}${reasons ? `: ${reasons}` : ''}.`,
      'Fix the cause OCI names, then run the task again; it continues from the current state.',
    );
  }

  private waitContext(): Parameters<typeof pollUntil>[3] {
    return {
      signal: this.ctx.signal,
      deadline: this.ctx.deadline,
      schedule: this.deps.poll,
      log: (m) => this.ctx.host.info(m),
    };
  }
}

export const createOciBackend: BackendFactory = async (ctx, o, deps) =>
  new OciBackend(ctx, o, await createOciClients(o.oci!, ctx.deadline, deps.retry, ctx.network), deps);
