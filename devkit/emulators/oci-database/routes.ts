/**
 * The Autonomous Database operations of the emulator: field rules (400), lifecycle preconditions
 * (409 IncorrectState), work requests and state transitions. Paths are below /20160918.
 */
import { Adb, DbStore } from './store';
import {
  COMPARTMENT_OCID,
  DB_NAME,
  WORKLOADS,
  aclProblem,
  adminPasswordProblem,
  computeProblem,
  parallelUpdateProblem,
  productionProblem,
  storageProblem,
  walletPasswordProblem,
} from './rules';
import { walletZip } from './wallet';

export class OciFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Json = Record<string, unknown>;
const bad = (message: string): OciFault => new OciFault(400, 'InvalidParameter', message);
const incorrectState = (db: Adb, op: string): OciFault =>
  new OciFault(
    409,
    'IncorrectState',
    `The operation ${op} cannot be performed on Autonomous Database ${db.id} because it is in the ${db.lifecycleState} state.`,
  );

/** Always Free limits: two databases per tenancy (home region), fixed compute and storage. */
export const FREE_TIER_LIMIT = 2;

export function render(store: DbStore, db: Adb): Json {
  const profiles = store.profiles(db);
  const pick = (g: string): string | undefined =>
    profiles.find((p) => p.consumerGroup === g && p.tlsAuthentication === 'MUTUAL')?.value;
  return {
    id: db.id,
    compartmentId: db.compartmentId,
    displayName: db.displayName,
    dbName: db.dbName,
    lifecycleState: db.lifecycleState,
    lifecycleDetails: db.lifecycleDetails,
    dbWorkload: db.dbWorkload,
    computeModel: db.computeModel,
    computeCount: db.computeCount,
    dataStorageSizeInTBs: db.dataStorageSizeInTBs,
    dataStorageSizeInGBs: db.isFreeTier ? 20 : db.dataStorageSizeInTBs * 1024,
    isFreeTier: db.isFreeTier,
    isDedicated: false,
    licenseModel: db.licenseModel,
    whitelistedIps: db.whitelistedIps.length ? db.whitelistedIps : null,
    isMtlsConnectionRequired: db.isMtlsConnectionRequired,
    timeCreated: db.timeCreated,
    subnetId: db.subnetId,
    nsgIds: db.nsgIds,
    privateEndpointLabel: db.privateEndpointLabel,
    privateEndpoint: db.subnetId
      ? `${db.privateEndpointLabel ?? db.dbName.toLowerCase()}.adb.${store.region}.oraclecloud.com`
      : undefined,
    dbVersion: db.dbVersion,
    isAutoScalingEnabled: db.isAutoScalingEnabled,
    isAutoScalingForStorageEnabled: db.isAutoScalingForStorageEnabled,
    kmsKeyId: db.kmsKeyId ?? 'ORACLE_MANAGED_KEY',
    vaultId: db.vaultId,
    freeformTags: db.freeformTags,
    definedTags: { 'Oracle-Tags': { CreatedBy: 'emulator' }, ...db.definedTags },
    backupRetentionPeriodInDays: db.backupRetentionPeriodInDays,
    sourceId: db.sourceId,
    isRefreshableClone: db.isRefreshableClone,
    connectionStrings:
      db.lifecycleState === 'PROVISIONING'
        ? undefined
        : { high: pick('HIGH'), medium: pick('MEDIUM'), low: pick('LOW'), profiles },
  };
}

function liveDbs(store: DbStore): Adb[] {
  return [...store.databases.values()].filter((d) => d.lifecycleState !== 'TERMINATED');
}

function checkCommon(store: DbStore, body: Json, self?: Adb): void {
  if (body.dbWorkload !== undefined && !WORKLOADS.includes(String(body.dbWorkload)))
    throw bad(`dbWorkload '${String(body.dbWorkload)}' is not one of ${WORKLOADS.join(', ')}.`);
  const problem = aclProblem(body.whitelistedIps) ?? storageProblem(body.dataStorageSizeInTBs);
  if (problem) throw bad(problem);
  if (body.dbName !== undefined) {
    if (typeof body.dbName !== 'string' || !DB_NAME.test(body.dbName))
      throw bad(
        'The database name must begin with an alphabetic character and can contain a maximum of 30 alphanumeric characters. Special characters are not permitted.',
      );
    const taken = liveDbs(store).find(
      (d) => d !== self && d.dbName.toUpperCase() === String(body.dbName).toUpperCase(),
    );
    if (taken)
      throw bad(
        `The database name ${String(body.dbName)} is already in use in this tenancy. The database name must be unique in the tenancy.`,
      );
  }
}

/**
 * CreateAutonomousDatabaseBase.source: NONE (new), DATABASE (CreateAutonomousDatabaseCloneDetails: sourceId and
 * cloneType FULL | METADATA required) and CLONE_TO_REFRESHABLE (CreateRefreshableAutonomousDatabaseCloneDetails:
 * sourceId, refreshableMode AUTOMATIC | MANUAL). The source must exist in the region and be AVAILABLE; Always
 * Free databases cannot be the source of a refreshable clone.
 */
function cloneSource(store: DbStore, body: Json): { source?: Adb; refreshable: boolean } {
  const kind = body.source ?? 'NONE';
  if (kind === 'NONE') return { refreshable: false };
  if (kind === 'BACKUP_FROM_TIMESTAMP') {
    // CreateAutonomousDatabaseFromBackupTimestampDetails: autonomousDatabaseId and cloneType required; the time
    // must lie within the source's backup retention, after its creation and not in the future.
    const source =
      typeof body.autonomousDatabaseId === 'string' ? store.databases.get(body.autonomousDatabaseId) : undefined;
    if (!source)
      throw new OciFault(
        404,
        'NotAuthorizedOrNotFound',
        `Autonomous Database ${String(body.autonomousDatabaseId)} not found or not authorized.`,
      );
    if (body.cloneType !== 'FULL' && body.cloneType !== 'METADATA')
      throw bad('cloneType is required and must be FULL or METADATA.');
    const at = Date.parse(String(body.timestamp));
    const oldest = Math.max(
      Date.parse(source.timeCreated),
      Date.now() - source.backupRetentionPeriodInDays * 86_400_000,
    );
    if (body.useLatestAvailableBackupTimeStamp !== true && (Number.isNaN(at) || at < oldest || at > Date.now())) {
      throw bad(
        `timestamp must lie between ${new Date(oldest).toISOString()} and now (the source's backup retention).`,
      );
    }
    return { source, refreshable: false };
  }
  if (kind !== 'DATABASE' && kind !== 'CLONE_TO_REFRESHABLE')
    throw bad(`source ${String(kind)} is not supported by the emulator.`);
  const source = typeof body.sourceId === 'string' ? store.databases.get(body.sourceId) : undefined;
  if (!source || source.lifecycleState === 'TERMINATED')
    throw new OciFault(
      404,
      'NotAuthorizedOrNotFound',
      `Source Autonomous Database ${String(body.sourceId)} not found or not authorized.`,
    );
  if (source.lifecycleState !== 'AVAILABLE') throw incorrectState(source, 'CreateAutonomousDatabase (clone)');
  if (kind === 'DATABASE' && body.cloneType !== 'FULL' && body.cloneType !== 'METADATA')
    throw bad('cloneType is required for source DATABASE and must be FULL or METADATA.');
  if (kind === 'CLONE_TO_REFRESHABLE') {
    if (body.refreshableMode !== undefined && body.refreshableMode !== 'AUTOMATIC' && body.refreshableMode !== 'MANUAL')
      throw bad('refreshableMode must be AUTOMATIC or MANUAL.');
    if (source.isFreeTier) throw bad('An Always Free Autonomous Database cannot be the source of a refreshable clone.');
  }
  return { source, refreshable: kind === 'CLONE_TO_REFRESHABLE' };
}

export function createDb(store: DbStore, body: Json): Reply {
  const clone = cloneSource(store, body);
  if (typeof body.compartmentId !== 'string' || !COMPARTMENT_OCID.test(body.compartmentId))
    throw bad('compartmentId is required and must be a compartment OCID.');
  if (body.dbName === undefined) throw bad('dbName is required.');
  checkCommon(store, body);
  if (body.secretId === undefined) {
    const problem = adminPasswordProblem(body.adminPassword);
    if (problem) throw bad(problem);
  } else if (body.adminPassword !== undefined) throw bad('adminPassword cannot be used in conjunction with secretId.');
  const isFreeTier = body.isFreeTier === true;
  if (isFreeTier && liveDbs(store).filter((d) => d.isFreeTier).length >= FREE_TIER_LIMIT) {
    throw new OciFault(
      400,
      'LimitExceeded',
      `The tenancy already has ${FREE_TIER_LIMIT} Always Free Autonomous Databases, the maximum allowed.`,
    );
  }
  const computeModel = (body.computeModel as string | undefined) ?? 'ECPU';
  const computeCount = isFreeTier ? 2 : ((body.computeCount as number | undefined) ?? 2);
  const problem = isFreeTier ? undefined : computeProblem(computeModel, computeCount);
  if (problem) throw bad(problem);
  const whitelistedIps = ((body.whitelistedIps as string[] | undefined) ?? []).filter(Boolean);
  const isMtlsConnectionRequired = body.isMtlsConnectionRequired !== false;
  const production = productionProblem(body);
  if (production) throw bad(production);
  if (!isMtlsConnectionRequired && !whitelistedIps.length && !body.subnetId)
    throw bad(
      'isMtlsConnectionRequired can be false only for databases with an access control list or a private endpoint.',
    );
  const db: Adb = {
    id: store.newId('autonomousdatabase'),
    compartmentId: body.compartmentId,
    displayName: (body.displayName as string | undefined) ?? `autonomousdatabase${Date.now()}`,
    dbName: body.dbName as string,
    lifecycleState: 'PROVISIONING',
    dbWorkload: (body.dbWorkload as string | undefined) ?? 'OLTP',
    computeModel,
    computeCount,
    dataStorageSizeInTBs: isFreeTier ? 1 : ((body.dataStorageSizeInTBs as number | undefined) ?? 1),
    isFreeTier,
    whitelistedIps,
    isMtlsConnectionRequired,
    timeCreated: new Date().toISOString(),
    adminPassword: body.adminPassword as string | undefined,
    secretId: body.secretId as string | undefined,
    subnetId: body.subnetId as string | undefined,
    nsgIds: body.nsgIds as string[] | undefined,
    privateEndpointLabel: body.privateEndpointLabel as string | undefined,
    licenseModel: (body.licenseModel as string | undefined) ?? 'LICENSE_INCLUDED',
    dbVersion: (body.dbVersion as string | undefined) ?? '19c',
    // OCI's defaults: compute auto scaling on, storage auto scaling off, 60 days of backups.
    isAutoScalingEnabled: body.isAutoScalingEnabled !== false,
    isAutoScalingForStorageEnabled: body.isAutoScalingForStorageEnabled === true,
    kmsKeyId: body.kmsKeyId as string | undefined,
    vaultId: body.vaultId as string | undefined,
    freeformTags: (body.freeformTags as Record<string, string> | undefined) ?? {},
    definedTags: (body.definedTags as Record<string, Record<string, string>> | undefined) ?? {},
    backupRetentionPeriodInDays: (body.backupRetentionPeriodInDays as number | undefined) ?? 60,
    sourceId: clone.source?.id,
    cloneType: clone.refreshable ? undefined : (body.cloneType as string | undefined),
    isRefreshableClone: clone.refreshable,
  };
  store.databases.set(db.id, db);
  store.history.push({ id: db.id, state: 'PROVISIONING' });
  const wr = store.operate(
    db,
    'CREATE_AUTONOMOUS_DATABASE',
    'CREATED',
    'PROVISIONING',
    'AVAILABLE',
    store.delays.provision,
  );
  return { status: 200, body: render(store, db), headers: { 'opc-work-request-id': wr.id } };
}

export function updateDb(store: DbStore, db: Adb, body: Json): Reply {
  const fields = Object.keys(body).filter((k) => body[k] !== undefined && body[k] !== null);
  if (!fields.length) throw bad('The update request contains no changes.');
  const parallel = parallelUpdateProblem(fields);
  if (parallel) throw bad(parallel);
  if (db.lifecycleState !== 'AVAILABLE') throw incorrectState(db, 'UpdateAutonomousDatabase');
  checkCommon(store, body, db);
  const scaling = fields.some((f) => ['computeModel', 'computeCount', 'dataStorageSizeInTBs'].includes(f));
  if (scaling && db.isFreeTier) throw bad('Always Free Autonomous Databases cannot be scaled.');
  if (body.isFreeTier === true && !db.isFreeTier)
    throw bad('A paid Autonomous Database cannot be converted to an Always Free Autonomous Database.');
  if (body.computeCount !== undefined || body.computeModel !== undefined) {
    const problem = computeProblem(body.computeModel, body.computeCount ?? db.computeCount);
    if (problem) throw bad(problem);
  }
  if (body.adminPassword !== undefined) {
    const problem = adminPasswordProblem(body.adminPassword);
    if (problem) throw bad(problem);
  }
  const ips = body.whitelistedIps !== undefined ? (body.whitelistedIps as string[]).filter(Boolean) : db.whitelistedIps;
  const mtls =
    body.isMtlsConnectionRequired !== undefined ? body.isMtlsConnectionRequired === true : db.isMtlsConnectionRequired;
  const production = productionProblem(body, db);
  if (production) throw bad(production);
  const subnet = (body.subnetId as string | undefined) ?? db.subnetId;
  if (!mtls && !ips.length && !subnet)
    throw bad(
      'isMtlsConnectionRequired can be false only for databases with an access control list or a private endpoint.',
    );
  const apply = (): void => {
    for (const f of fields) {
      if (f === 'encryptionKey') {
        const key = body.encryptionKey as { kmsKeyId: string; vaultId: string };
        [db.kmsKeyId, db.vaultId] = [key.kmsKeyId, key.vaultId];
      } else (db as unknown as Json)[f] = f === 'whitelistedIps' ? ips : body[f];
    }
  };
  const wr = scaling
    ? store.operate(
        db,
        'UPDATE_AUTONOMOUS_DATABASE',
        'UPDATED',
        'SCALE_IN_PROGRESS',
        'AVAILABLE',
        store.delays.update,
        apply,
      )
    : store.operate(db, 'UPDATE_AUTONOMOUS_DATABASE', 'UPDATED', 'UPDATING', 'AVAILABLE', store.delays.update, apply);
  return { status: 200, body: render(store, db), headers: { 'opc-work-request-id': wr.id } };
}

export function actOnDb(store: DbStore, db: Adb, action: string, body: Json): Reply {
  const reply = (wrId: string): Reply => ({
    status: 200,
    body: render(store, db),
    headers: { 'opc-work-request-id': wrId },
  });
  switch (action) {
    case 'start':
      if (db.lifecycleState !== 'STOPPED') throw incorrectState(db, 'StartAutonomousDatabase');
      return reply(
        store.operate(db, 'START_AUTONOMOUS_DATABASE', 'UPDATED', 'STARTING', 'AVAILABLE', store.delays.start).id,
      );
    case 'stop':
      if (db.lifecycleState !== 'AVAILABLE') throw incorrectState(db, 'StopAutonomousDatabase');
      return reply(
        store.operate(db, 'STOP_AUTONOMOUS_DATABASE', 'UPDATED', 'STOPPING', 'STOPPED', store.delays.stop).id,
      );
    case 'generateWallet': {
      const problem = walletPasswordProblem(body.password);
      if (problem) throw bad(problem);
      if (body.generateType !== undefined && !['SINGLE', 'ALL'].includes(String(body.generateType)))
        throw bad('generateType must be SINGLE or ALL.');
      if (!['AVAILABLE', 'STOPPED'].includes(db.lifecycleState))
        throw incorrectState(db, 'GenerateAutonomousDatabaseWallet');
      const wallet = walletZip(db.dbName, store.profiles(db));
      store.walletsServed.push(wallet);
      return {
        status: 200,
        body: wallet,
        headers: { 'content-type': 'application/zip' },
      };
    }
    default:
      throw new OciFault(404, 'NotAuthorizedOrNotFound', `Unknown action ${action}.`);
  }
}

export function deleteDb(store: DbStore, db: Adb): Reply {
  if (db.lifecycleState === 'TERMINATED')
    throw new OciFault(404, 'NotAuthorizedOrNotFound', `Autonomous Database ${db.id} not found.`);
  if (!['AVAILABLE', 'STOPPED', 'UNAVAILABLE', 'AVAILABLE_NEEDS_ATTENTION'].includes(db.lifecycleState))
    throw incorrectState(db, 'DeleteAutonomousDatabase');
  const wr = store.operate(
    db,
    'DELETE_AUTONOMOUS_DATABASE',
    'DELETED',
    'TERMINATING',
    'TERMINATED',
    store.delays.terminate,
  );
  return { status: 204, body: undefined, headers: { 'opc-work-request-id': wr.id } };
}

export function createBackup(store: DbStore, body: Json): Reply {
  const db = store.databases.get(String(body.autonomousDatabaseId));
  if (!db || db.lifecycleState === 'TERMINATED')
    throw new OciFault(
      404,
      'NotAuthorizedOrNotFound',
      `Autonomous Database ${String(body.autonomousDatabaseId)} not found.`,
    );
  if (db.isFreeTier) throw bad('Manual backups are not supported for Always Free Autonomous Databases.');
  if (db.lifecycleState !== 'AVAILABLE') throw incorrectState(db, 'CreateAutonomousDatabaseBackup');
  const backup = {
    id: store.newId('autonomousdatabasebackup'),
    autonomousDatabaseId: db.id,
    compartmentId: db.compartmentId,
    displayName: (body.displayName as string | undefined) ?? `Backup ${new Date().toISOString()}`,
    lifecycleState: 'CREATING',
    type: 'FULL' as const,
    isAutomatic: false as const,
    timeStarted: new Date().toISOString(),
  };
  store.backups.set(backup.id, backup);
  const wr = store.operate(
    db,
    'CREATE_AUTONOMOUS_DATABASE_BACKUP',
    'UPDATED',
    'BACKUP_IN_PROGRESS',
    'AVAILABLE',
    store.delays.backup,
    () => {
      backup.lifecycleState = 'ACTIVE';
      Object.assign(backup, { timeEnded: new Date().toISOString() });
    },
    () => {
      backup.lifecycleState = 'FAILED';
    },
  );
  return { status: 200, body: backup, headers: { 'opc-work-request-id': wr.id } };
}
