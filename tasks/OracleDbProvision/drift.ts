import { DbState, DesiredDb } from './model';
import { productionDrift } from './production';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One UpdateAutonomousDatabase call: OCI rejects most fields "updated in parallel" with others. */
export interface UpdateGroup {
  changes: FieldChange[];
  details: Record<string, unknown>;
}

export function sameIps(a: string[], b: string[]): boolean {
  const norm = (l: string[]): string => [...new Set(l.map((s) => s.trim()).filter(Boolean))].sort().join(',');
  return norm(a) === norm(b);
}

/** Why an ensure cannot converge; the planner turns these into a clear error before any change. */
export function driftBlockers(desired: DesiredDb, current: DbState): string[] {
  const blockers: string[] = [];
  if (desired.isFreeTier && !current.isFreeTier) {
    blockers.push(
      'the database is a paid instance and OCI cannot convert it to Always Free (isFreeTier: true); keep isFreeTier false or create a new database under another display name',
    );
  }
  // UpdateAutonomousDatabase has no compartment (and the operator's Update sends none): a move is a separate
  // ChangeAutonomousDatabaseCompartment this task does not make, so an adopted database elsewhere is refused.
  if (current.compartmentId && current.compartmentId !== desired.compartmentId)
    blockers.push(
      `the database is in compartment ${current.compartmentId}, not ${desired.compartmentId}; moving it is not done in place by this task: set compartmentId to its compartment, or move it in the OCI console first`,
    );
  blockers.push(...productionDrift(desired, current).replace);
  return blockers;
}

/** For the record: each setting that differs, and whether it can change in place or blocks (needs a new database). */
export function driftReport(
  desired: DesiredDb,
  current: DbState,
): { field?: string; from?: unknown; to?: unknown; inPlace: boolean; reason?: string }[] {
  return [
    ...driftUpdates(desired, current).flatMap((g) => g.changes.map((c) => ({ ...c, inPlace: true }))),
    ...driftBlockers(desired, current).map((reason) => ({ inPlace: false, reason })),
  ];
}

/**
 * The settings that differ between inputs and database, grouped and ordered so that every
 * request is one OCI accepts: isFreeTier, dbName, dbWorkload, whitelistedIps and
 * isMtlsConnectionRequired each go alone; compute and storage may go together. Order matters:
 * leaving Always Free comes first (a free database cannot scale), and the ACL is set before mTLS
 * is switched off (OCI refuses TLS-only access to a public database without an ACL), but cleared
 * only after mTLS is switched back on.
 */
export function driftUpdates(desired: DesiredDb, current: DbState): UpdateGroup[] {
  const groups: UpdateGroup[] = [];
  const single = (field: string, from: unknown, to: unknown, value: unknown = to): UpdateGroup => ({
    changes: [{ field, from, to }],
    details: { [field]: value },
  });

  if (current.isFreeTier && !desired.isFreeTier) groups.push(single('isFreeTier', true, false));
  // Only an adopted database (found by OCID) can differ here: one found by name has that name.
  if (current.displayName && desired.displayName !== current.displayName)
    groups.push(single('displayName', current.displayName, desired.displayName));
  if (desired.dbName && current.dbName && desired.dbName.toUpperCase() !== current.dbName.toUpperCase()) {
    groups.push(single('dbName', current.dbName, desired.dbName));
  }
  if (current.dbWorkload && desired.dbWorkload !== current.dbWorkload)
    groups.push(single('dbWorkload', current.dbWorkload, desired.dbWorkload));

  // Always Free databases have fixed compute and storage: there is nothing to compare.
  if (!desired.isFreeTier) {
    const compute = computeDrift(desired, current);
    if (compute) groups.push(compute);
  }

  const acl = sameIps(desired.whitelistedIps, current.whitelistedIps)
    ? undefined
    : single(
        'whitelistedIps',
        current.whitelistedIps,
        desired.whitelistedIps,
        desired.whitelistedIps.length ? desired.whitelistedIps : [''],
      );
  const mtls =
    current.isMtlsConnectionRequired === undefined ||
    current.isMtlsConnectionRequired === desired.isMtlsConnectionRequired
      ? undefined
      : single('isMtlsConnectionRequired', current.isMtlsConnectionRequired, desired.isMtlsConnectionRequired);
  // A private endpoint comes before an ACL change and mTLS (OCI allows TLS without an ACL on a private one).
  groups.push(...productionDrift(desired, current).updates);
  const ordered = desired.isMtlsConnectionRequired ? [mtls, acl] : [acl, mtls];
  for (const g of ordered) if (g) groups.push(g);
  return groups;
}

/** Compute model, count and storage: the `scale` action's fields, accepted in one request. */
export function computeDrift(
  desired: Pick<DesiredDb, 'computeModel' | 'computeCount' | 'dataStorageSizeInTBs'>,
  current: DbState,
): UpdateGroup | undefined {
  const changes: FieldChange[] = [];
  const details: Record<string, unknown> = {};
  const modelChanged = current.computeModel !== undefined && current.computeModel !== desired.computeModel;
  if (modelChanged || current.computeCount !== desired.computeCount) {
    if (modelChanged) changes.push({ field: 'computeModel', from: current.computeModel, to: desired.computeModel });
    if (current.computeCount !== desired.computeCount)
      changes.push({ field: 'computeCount', from: current.computeCount, to: desired.computeCount });
    // OCI requires computeModel whenever computeCount is sent.
    details.computeModel = desired.computeModel;
    details.computeCount = desired.computeCount;
  }
  if (current.dataStorageSizeInTBs !== desired.dataStorageSizeInTBs) {
    changes.push({
      field: 'dataStorageSizeInTBs',
      from: current.dataStorageSizeInTBs,
      to: desired.dataStorageSizeInTBs,
    });
    details.dataStorageSizeInTBs = desired.dataStorageSizeInTBs;
  }
  return changes.length ? { changes, details } : undefined;
}
