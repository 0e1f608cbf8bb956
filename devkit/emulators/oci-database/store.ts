/**
 * State of the OCI Database emulator: Autonomous Databases, their backups and the work requests
 * that move them through OCI's lifecycle states (PROVISIONING → AVAILABLE, STOPPING → STOPPED,
 * STARTING → AVAILABLE, SCALE_IN_PROGRESS / UPDATING → AVAILABLE, BACKUP_IN_PROGRESS → AVAILABLE,
 * TERMINATING → TERMINATED) after short, configurable delays.
 */
import * as crypto from 'node:crypto';
import { Profile, connectionProfiles } from './wallet';

export interface Adb {
  id: string;
  compartmentId: string;
  displayName: string;
  dbName: string;
  lifecycleState: string;
  lifecycleDetails?: string;
  dbWorkload: string;
  computeModel: string;
  computeCount: number;
  dataStorageSizeInTBs: number;
  isFreeTier: boolean;
  whitelistedIps: string[];
  isMtlsConnectionRequired: boolean;
  timeCreated: string;
  subnetId?: string;
  nsgIds?: string[];
  privateEndpointLabel?: string;
  licenseModel: string;
  dbVersion: string;
  isAutoScalingEnabled: boolean;
  isAutoScalingForStorageEnabled: boolean;
  kmsKeyId?: string;
  vaultId?: string;
  freeformTags: Record<string, string>;
  definedTags: Record<string, Record<string, string>>;
  backupRetentionPeriodInDays: number;
  /** The database this one was cloned from (clones only). */
  sourceId?: string;
  cloneType?: string;
  isRefreshableClone?: boolean;
  /** When the wallet was last rotated (UpdateAutonomousDatabaseWallet shouldRotate); absent: never. */
  walletRotated?: string;
  /** Never returned by the API; kept so tests can check what was sent. */
  adminPassword?: string;
  secretId?: string;
}

export interface Backup {
  id: string;
  autonomousDatabaseId: string;
  compartmentId: string;
  displayName: string;
  lifecycleState: string;
  type: 'FULL';
  isAutomatic: false;
  timeStarted: string;
  timeEnded?: string;
}

export interface WorkRequest {
  id: string;
  operationType: string;
  status: 'ACCEPTED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  compartmentId: string;
  resources: { entityType: string; actionType: string; identifier: string; entityUri: string }[];
  percentComplete: number;
  timeAccepted: string;
  timeStarted?: string;
  timeFinished?: string;
  errors: { code: string; message: string; timestamp: string }[];
}

/** How long each phase takes, in ms (tests keep them tiny). */
export interface Delays {
  provision: number;
  update: number;
  start: number;
  stop: number;
  terminate: number;
  backup: number;
}

export const DEFAULT_DELAYS: Delays = { provision: 60, update: 40, start: 40, stop: 40, terminate: 40, backup: 40 };

const ocid = (kind: string, region: string): string =>
  `ocid1.${kind}.oc1.${region}.${crypto.randomBytes(20).toString('hex').slice(0, 36)}`;

export class DbStore {
  readonly databases = new Map<string, Adb>();
  readonly backups = new Map<string, Backup>();
  readonly workRequests = new Map<string, WorkRequest>();
  /** State changes in order, for tests: {id, state}. */
  readonly history: { id: string; state: string }[] = [];
  /** Every wallet zip GenerateAutonomousDatabaseWallet served, so tests compare what was published with it. */
  readonly walletsServed: Buffer[] = [];
  /** The next work request of this operation type fails with this error (tests script failures). */
  readonly failNext = new Map<string, { code: string; message: string; finalState: string }>();
  private readonly servicePrefix = crypto.randomBytes(4).toString('hex');
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly region: string,
    public delays: Delays,
  ) {}

  newId(kind: string): string {
    return ocid(kind, this.region);
  }

  profiles(db: Adb): Profile[] {
    return connectionProfiles(db.dbName, db.dbWorkload, this.region, db.isMtlsConnectionRequired, this.servicePrefix);
  }

  setState(db: Adb, state: string): void {
    db.lifecycleState = state;
    this.history.push({ id: db.id, state });
  }

  /**
   * Starts an operation: the database enters `during` now, the work request runs, and after
   * `delay` both finish (or fail, when a test scripted a failure for this operation type).
   */
  operate(
    db: Adb,
    operationType: string,
    actionType: string,
    during: string,
    after: string,
    delay: number,
    apply?: () => void,
    onFail?: () => void,
  ): WorkRequest {
    const wr: WorkRequest = {
      id: ocid('coreservicesworkrequest', this.region),
      operationType,
      status: 'ACCEPTED',
      compartmentId: db.compartmentId,
      resources: [
        {
          entityType: 'autonomousDatabase',
          actionType,
          identifier: db.id,
          entityUri: `/20160918/autonomousDatabases/${db.id}`,
        },
      ],
      percentComplete: 0,
      timeAccepted: new Date().toISOString(),
      errors: [],
    };
    this.workRequests.set(wr.id, wr);
    this.setState(db, during);
    this.later(delay / 2, () => {
      wr.status = 'IN_PROGRESS';
      wr.percentComplete = 50;
      wr.timeStarted = new Date().toISOString();
    });
    this.later(delay, () => {
      const failure = this.failNext.get(operationType);
      wr.timeFinished = new Date().toISOString();
      if (failure) {
        this.failNext.delete(operationType);
        wr.status = 'FAILED';
        wr.errors.push({ code: failure.code, message: failure.message, timestamp: wr.timeFinished });
        this.setState(db, failure.finalState);
        onFail?.();
        return;
      }
      apply?.();
      wr.status = 'SUCCEEDED';
      wr.percentComplete = 100;
      this.setState(db, after);
    });
    return wr;
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
