import type { DbWorkload } from './options';
import type { ProductionSettings } from './production';

/**
 * The target-neutral view of an Autonomous Database: what the planner compares and what the
 * task reports. Both the OCI API adapter and the operator adapter map their objects onto it.
 */
export interface DbState extends ProductionSettings {
  id: string;
  displayName: string;
  lifecycleState: string;
  /** Where the database is; an adopted one may be elsewhere than compartmentId says. */
  compartmentId?: string;
  dbName?: string;
  dbWorkload?: string;
  computeModel?: string;
  computeCount?: number;
  dataStorageSizeInTBs?: number;
  isFreeTier: boolean;
  whitelistedIps: string[];
  isMtlsConnectionRequired?: boolean;
  connectionProfiles: ConnectionProfile[];
}

/** One entry of connectionStrings.profiles (OCI) or status.allConnectionStrings (operator). */
export interface ConnectionProfile {
  displayName: string;
  value: string;
  tlsAuthentication?: 'MUTUAL' | 'SERVER';
  consumerGroup?: string;
  protocol?: string;
  hostFormat?: string;
  syntaxFormat?: string;
}

/** The settings `ensure` converges to, taken from the inputs. */
export interface DesiredDb extends ProductionSettings {
  compartmentId: string;
  displayName: string;
  dbName?: string;
  dbWorkload: DbWorkload;
  computeModel: 'ECPU' | 'OCPU';
  computeCount: number;
  dataStorageSizeInTBs: number;
  isFreeTier: boolean;
  whitelistedIps: string[];
  isMtlsConnectionRequired: boolean;
}

/** States in which OCI is still working on the database: we wait for them to settle. */
export const TRANSITIONAL_STATES = new Set([
  'PROVISIONING',
  'STARTING',
  'STOPPING',
  'TERMINATING',
  'UPDATING',
  'SCALE_IN_PROGRESS',
  'BACKUP_IN_PROGRESS',
  'RESTORE_IN_PROGRESS',
  'MAINTENANCE_IN_PROGRESS',
  'RESTARTING',
  'RECREATING',
  'ROLE_CHANGE_IN_PROGRESS',
  'UPGRADING',
  'TRANSPORTING',
]);

/** States from which nothing this task does can recover: reported as errors, never waited on. */
export const FAILED_STATES = new Set(['UNAVAILABLE', 'RESTORE_FAILED', 'INACCESSIBLE']);

export const GONE_STATES = new Set(['TERMINATED']);
