import { DbState, DesiredDb } from '../model';

/** The settings of DesiredDb that the operator's spec.details carries, as the planner names them in its changes. */
const STAGED = [
  'displayName',
  'dbName',
  'dbWorkload',
  'isFreeTier',
  'computeModel',
  'computeCount',
  'dataStorageSizeInTBs',
  'whitelistedIps',
  'isMtlsConnectionRequired',
  'subnetId',
  'nsgIds',
  'privateEndpointLabel',
  'licenseModel',
  'dbVersion',
  'isAutoScalingEnabled',
] as const;

/**
 * The spec for one update group: the group's fields as desired, every other field as the database has it now.
 * The operator sends only the fields that differ from OCI (updateAutonomousDatabase → RemoveUnchangedDetails,
 * controllers/database/autonomousdatabase_controller.go) in one UpdateAutonomousDatabase, which refuses most
 * fields together: staging the spec group by group makes each write one request OCI accepts, in the planner's
 * order. Tags are merged, so keys set by others stay (the operator sends the whole map).
 */
export function stagedDesired(desired: DesiredDb, current: DbState, changed: string[]): DesiredDb {
  const staged: DesiredDb = { ...desired };
  const target = staged as unknown as Record<string, unknown>;
  const have = current as unknown as Record<string, unknown>;
  for (const field of STAGED) if (!changed.includes(field)) target[field] = have[field];
  staged.freeformTags = changed.includes('freeformTags')
    ? { ...current.freeformTags, ...desired.freeformTags }
    : (current.freeformTags ?? desired.freeformTags);
  return staged;
}
