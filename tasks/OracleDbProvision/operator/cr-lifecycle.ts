import { DesiredDb } from '../model';
import { ADB_API_VERSION, AdbCrInput, MANAGED_BY, OciConfigRef, baseDetails, passwordRef } from './cr';

/**
 * The operator's resources for adopting, cloning and restoring (oracle/oracle-database-operator, database.oracle.com
 * v4): field names from apis/database/v4/autonomousdatabase_types.go and autonomousdatabaserestore_types.go, and
 * the samples config/samples/adb/autonomousdatabase_bind.yaml, _clone.yaml and _restore.yaml.
 */

const withOciConfig = (spec: Record<string, unknown>, ociConfig: OciConfigRef): Record<string, unknown> =>
  ociConfig ? { ...spec, ociConfig } : spec;

/** Bind: spec.action Sync with spec.details.id; the operator fills spec.details and status from OCI. */
export function bindCr(name: string, namespace: string, id: string, ociConfig: OciConfigRef): Record<string, unknown> {
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabase',
    metadata: { name, namespace, labels: MANAGED_BY },
    spec: withOciConfig({ action: 'Sync', details: { id } }, ociConfig),
  };
}

/**
 * Clone: a resource bound to the source (spec.details.id) with spec.action Clone and the new database in
 * spec.clone (AutonomousDatabaseBase + cloneType FULL | METADATA). The operator calls CreateAutonomousDatabase
 * (CreateAutonomousDatabaseCloneDetails, commons/oci/database.go) and creates the clone's own resource, named
 * spec.clone.displayName. hardLink false: deleting this helper resource never terminates the source.
 */
export function cloneSourceCr(input: {
  name: string;
  namespace: string;
  sourceId: string;
  desired: DesiredDb;
  cloneType: 'FULL' | 'METADATA';
  adminPassword: NonNullable<AdbCrInput['adminPassword']>;
  ociConfig: OciConfigRef;
}): Record<string, unknown> {
  const clone = {
    ...baseDetails(input.desired),
    adminPassword: passwordRef(input.adminPassword),
    cloneType: input.cloneType,
  };
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabase',
    metadata: { name: input.name, namespace: input.namespace, labels: MANAGED_BY },
    spec: withOciConfig({ action: 'Clone', details: { id: input.sourceId }, clone, hardLink: false }, input.ociConfig),
  };
}

/** "2026-11-29T21:30:00.000Z" → "2026-11-29 21:30:00 UTC", the operator's display format ("2006-01-02 15:04:05 MST"). */
export function operatorTimestamp(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** One restore resource per database and point in time: a re-run finds it and does not restore twice. */
export function restoreName(adbName: string, iso: string): string {
  const stamp = new Date(iso).toISOString().slice(0, 19).replace(/[-:T]/g, '').toLowerCase();
  return `${adbName.slice(0, 40).replace(/-+$/, '')}-restore-${stamp}`;
}

/** AutonomousDatabaseRestore: target.k8sAdb.name, source.pointInTime.timestamp (RestoreAutonomousDatabase, in place). */
export function restoreCr(
  name: string,
  namespace: string,
  adbName: string,
  iso: string,
  ociConfig: OciConfigRef,
): Record<string, unknown> {
  return {
    apiVersion: ADB_API_VERSION,
    kind: 'AutonomousDatabaseRestore',
    metadata: { name, namespace, labels: MANAGED_BY },
    spec: withOciConfig(
      { target: { k8sAdb: { name: adbName } }, source: { pointInTime: { timestamp: operatorTimestamp(iso) } } },
      ociConfig,
    ),
  };
}
