import { DbState, DesiredDb } from '../model';

/**
 * Pure generators for the Oracle Database Operator's custom resources (database.oracle.com/v4,
 * as published in oracle/oracle-database-operator apis/database/v4): AutonomousDatabase and
 * AutonomousDatabaseBackup, plus the mapping of their status back onto DbState.
 */
export const ADB_API_VERSION = 'database.oracle.com/v4';
export const FIELD_MANAGER = 'multicloud-devsecops';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'multicloud-devsecops' };

export type OperatorAction = 'Create' | 'Update' | 'Start' | 'Stop' | 'Terminate';

/** A DNS-1123 name from a display name: what `kubectl get adb` shows next to the OCI name. */
export function resourceName(displayName: string): string {
  const base = displayName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '');
  return base || 'adb';
}

export interface AdbCrInput {
  name: string;
  namespace: string;
  action: OperatorAction;
  desired: DesiredDb;
  /** Only the fields this action owns go into the applied configuration (server-side apply). */
  fields: 'all' | 'compute' | 'none';
  adminPassword?: { k8sSecret: string } | { ociSecretId: string };
  wallet?: { secretName: string; passwordSecret: string };
}

export function adbCr(input: AdbCrInput): Record<string, unknown> {
  const { desired } = input;
  const details: Record<string, unknown> = { compartmentId: desired.compartmentId, displayName: desired.displayName };
  if (input.fields === 'all') {
    if (desired.dbName) details.dbName = desired.dbName;
    details.dbWorkload = desired.dbWorkload;
    details.isFreeTier = desired.isFreeTier;
    details.whitelistedIps = desired.whitelistedIps;
    details.isMtlsConnectionRequired = desired.isMtlsConnectionRequired;
  }
  if ((input.fields === 'all' || input.fields === 'compute') && !desired.isFreeTier) {
    details.computeModel = desired.computeModel;
    details.computeCount = desired.computeCount;
    details.dataStorageSizeInTBs = desired.dataStorageSizeInTBs;
  }
  if (input.adminPassword) {
    details.adminPassword = 'k8sSecret' in input.adminPassword ? { k8sSecret: { name: input.adminPassword.k8sSecret } } : { ociSecret: { id: input.adminPassword.ociSecretId } };
  }
  const spec: Record<string, unknown> = { action: input.action, details };
  if (input.wallet) spec.wallet = { name: input.wallet.secretName, password: { k8sSecret: { name: input.wallet.passwordSecret } } };
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabase',
    metadata: { name: input.name, namespace: input.namespace, labels: MANAGED_BY },
    spec,
  };
}

export function adbBackupCr(name: string, namespace: string, adbName: string, displayName: string): Record<string, unknown> {
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabaseBackup',
    metadata: { name, namespace, labels: MANAGED_BY },
    spec: { target: { k8sADB: { name: adbName } }, displayName },
  };
}

/**
 * A Secret holding one password under the key the operator reads (the secret's only key). As
 * `data` (base64), which server-side apply stores as sent; the registry masks the base64 form.
 */
export function passwordSecret(name: string, namespace: string, password: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: MANAGED_BY },
    type: 'Opaque',
    data: { [name]: Buffer.from(password, 'utf8').toString('base64') },
  };
}

interface AdbObject {
  spec?: { details?: Record<string, unknown> };
  status?: { lifecycleState?: string; allConnectionStrings?: { tlsAuthentication?: string; connectionStrings?: { tnsName?: string; connectionString?: string }[] }[] };
}

/** The operator mirrors the OCI database into spec.details and status; read them back. */
export function stateFromCr(obj: AdbObject): DbState {
  const d = obj.spec?.details ?? {};
  const str = (k: string): string | undefined => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const num = (k: string): number | undefined => (typeof d[k] === 'number' ? (d[k] as number) : undefined);
  const profiles = (obj.status?.allConnectionStrings ?? []).flatMap((group) =>
    (group.connectionStrings ?? []).map((c) => ({
      displayName: c.tnsName ?? '',
      value: c.connectionString ?? '',
      tlsAuthentication: group.tlsAuthentication === 'Mutual TLS' ? ('MUTUAL' as const) : group.tlsAuthentication === 'TLS' ? ('SERVER' as const) : undefined,
    })),
  );
  return {
    id: str('id') ?? '',
    displayName: str('displayName') ?? '',
    lifecycleState: obj.status?.lifecycleState ?? '',
    dbName: str('dbName'),
    dbWorkload: str('dbWorkload'),
    computeModel: str('computeModel'),
    computeCount: num('computeCount'),
    dataStorageSizeInTBs: num('dataStorageSizeInTBs'),
    isFreeTier: d.isFreeTier === true,
    whitelistedIps: Array.isArray(d.whitelistedIps) ? (d.whitelistedIps as string[]) : [],
    isMtlsConnectionRequired: typeof d.isMtlsConnectionRequired === 'boolean' ? d.isMtlsConnectionRequired : undefined,
    connectionProfiles: profiles.filter((p) => p.value),
  };
}
