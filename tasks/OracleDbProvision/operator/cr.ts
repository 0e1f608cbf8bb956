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
  const base = displayName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
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
  /** spec.ociConfig: the ConfigMap and Secret the operator signs its OCI calls with; absent: instance principal. */
  ociConfig?: { configMapName: string; secretName: string };
  /** spec.details.id: an adopted database (bound by spec.action Sync) keeps its OCID in every write we apply. */
  id?: string;
}

export type OciConfigRef = AdbCrInput['ociConfig'];

/** spec.details for the settings of `desired` (the fields AutonomousDatabaseBase carries), compute unless Always Free. */
export function baseDetails(desired: DesiredDb): Record<string, unknown> {
  const details: Record<string, unknown> = { compartmentId: desired.compartmentId, displayName: desired.displayName };
  if (desired.dbName) details.dbName = desired.dbName;
  details.dbWorkload = desired.dbWorkload;
  details.isFreeTier = desired.isFreeTier;
  details.whitelistedIps = desired.whitelistedIps;
  details.isMtlsConnectionRequired = desired.isMtlsConnectionRequired;
  // The production settings AutonomousDatabaseBase carries (apis/database/v4/autonomousdatabase_types.go);
  // the others are refused at validation for this back end.
  const optional = {
    subnetId: desired.subnetId,
    nsgIds: desired.nsgIds,
    privateEndpointLabel: desired.privateEndpointLabel,
    licenseModel: desired.licenseModel,
    dbVersion: desired.dbVersion,
    isAutoScalingEnabled: desired.isAutoScalingEnabled,
    freeformTags: desired.freeformTags,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) details[k] = v;
  if (!desired.isFreeTier) Object.assign(details, computeDetails(desired));
  return details;
}

function computeDetails(desired: DesiredDb): Record<string, unknown> {
  return {
    computeModel: desired.computeModel,
    computeCount: desired.computeCount,
    dataStorageSizeInTBs: desired.dataStorageSizeInTBs,
  };
}

/** The operator's password reference (PasswordSpec: k8sSecret.name or ociSecret.id). */
export function passwordRef(ref: NonNullable<AdbCrInput['adminPassword']>): Record<string, unknown> {
  return 'k8sSecret' in ref ? { k8sSecret: { name: ref.k8sSecret } } : { ociSecret: { id: ref.ociSecretId } };
}

export function adbCr(input: AdbCrInput): Record<string, unknown> {
  const { desired } = input;
  const details: Record<string, unknown> =
    input.fields === 'all'
      ? baseDetails(desired)
      : { compartmentId: desired.compartmentId, displayName: desired.displayName };
  if (input.fields === 'compute' && !desired.isFreeTier) Object.assign(details, computeDetails(desired));
  if (input.id) details.id = input.id;
  if (input.adminPassword) details.adminPassword = passwordRef(input.adminPassword);
  const spec: Record<string, unknown> = { action: input.action, details };
  if (input.wallet)
    spec.wallet = { name: input.wallet.secretName, password: { k8sSecret: { name: input.wallet.passwordSecret } } };
  if (input.ociConfig)
    spec.ociConfig = { configMapName: input.ociConfig.configMapName, secretName: input.ociConfig.secretName };
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabase',
    metadata: { name: input.name, namespace: input.namespace, labels: MANAGED_BY },
    spec,
  };
}

/** TargetSpec is `k8sAdb` / `ociAdb` (apis/database/v4/adbfamily_common_spec.go); each CR carries its ociConfig. */
export function adbBackupCr(
  name: string,
  namespace: string,
  adbName: string,
  displayName: string,
  ociConfig?: OciConfigRef,
): Record<string, unknown> {
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabaseBackup',
    metadata: { name, namespace, labels: MANAGED_BY },
    spec: { target: { k8sAdb: { name: adbName } }, displayName, ...(ociConfig ? { ociConfig } : {}) },
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

/**
 * The operator's API-key credentials, as commons/oci/provider.go reads them: a ConfigMap whose only keys are
 * tenancy, user, fingerprint and region (any other key is an error there), and a Secret with the PEM under
 * `privatekey`. The passphrase key is never written (refused at validation: it would sit in a ConfigMap).
 */
export function ociConfigObjects(
  name: string,
  namespace: string,
  c: { tenancy: string; user: string; fingerprint: string; region: string; privateKey: string },
): Record<string, unknown>[] {
  const metadata = { name, namespace, labels: MANAGED_BY };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata,
      data: { tenancy: c.tenancy, user: c.user, fingerprint: c.fingerprint, region: c.region },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata,
      type: 'Opaque',
      data: { privatekey: Buffer.from(c.privateKey, 'utf8').toString('base64') },
    },
  ];
}

interface AdbObject {
  spec?: { details?: Record<string, unknown> };
  status?: {
    lifecycleState?: string;
    allConnectionStrings?: {
      tlsAuthentication?: string;
      connectionStrings?: { tnsName?: string; connectionString?: string }[];
    }[];
  };
}

/** The operator mirrors the OCI database into spec.details and status; read them back. */
export function stateFromCr(obj: AdbObject): DbState {
  const d = obj.spec?.details ?? {};
  const str = (k: string): string | undefined => (typeof d[k] === 'string' ? d[k] : undefined);
  const num = (k: string): number | undefined => (typeof d[k] === 'number' ? d[k] : undefined);
  const profiles = (obj.status?.allConnectionStrings ?? []).flatMap((group) =>
    (group.connectionStrings ?? []).map((c) => ({
      displayName: c.tnsName ?? '',
      value: c.connectionString ?? '',
      tlsAuthentication:
        group.tlsAuthentication === 'Mutual TLS'
          ? ('MUTUAL' as const)
          : group.tlsAuthentication === 'TLS'
            ? ('SERVER' as const)
            : undefined,
    })),
  );
  return {
    id: str('id') ?? '',
    displayName: str('displayName') ?? '',
    compartmentId: str('compartmentId'),
    lifecycleState: obj.status?.lifecycleState ?? '',
    dbName: str('dbName'),
    dbWorkload: str('dbWorkload'),
    computeModel: str('computeModel'),
    computeCount: num('computeCount'),
    dataStorageSizeInTBs: num('dataStorageSizeInTBs'),
    isFreeTier: d.isFreeTier === true,
    whitelistedIps: Array.isArray(d.whitelistedIps) ? (d.whitelistedIps as string[]) : [],
    isMtlsConnectionRequired: typeof d.isMtlsConnectionRequired === 'boolean' ? d.isMtlsConnectionRequired : undefined,
    subnetId: str('subnetId'),
    nsgIds: Array.isArray(d.nsgIds) ? (d.nsgIds as string[]) : undefined,
    privateEndpointLabel: str('privateEndpointLabel'),
    licenseModel:
      str('licenseModel') === 'BRING_YOUR_OWN_LICENSE'
        ? 'BRING_YOUR_OWN_LICENSE'
        : str('licenseModel') === 'LICENSE_INCLUDED'
          ? 'LICENSE_INCLUDED'
          : undefined,
    dbVersion: str('dbVersion'),
    isAutoScalingEnabled: typeof d.isAutoScalingEnabled === 'boolean' ? d.isAutoScalingEnabled : undefined,
    freeformTags:
      d.freeformTags && typeof d.freeformTags === 'object' ? (d.freeformTags as Record<string, string>) : undefined,
    connectionProfiles: profiles.filter((p) => p.value),
  };
}
