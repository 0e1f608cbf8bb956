/**
 * The two pluggable ends of a sync and the plan between them. Values never live in a plan item or a
 * result: those end up in logs and the ledger. Values travel separately, in a ValueBook.
 */

/** A secret as listed by the source, without its value. */
export interface SourceSecret {
  name: string;
  enabled: boolean;
  notBefore?: Date;
  expiresOn?: Date;
  contentType?: string;
  tags?: Record<string, string>;
}

export interface SecretSource {
  /** e.g. "Key Vault kv-shop" */
  readonly description: string;
  /** Every secret's properties, all pages. */
  list(): Promise<SourceSecret[]>;
  /** The current value and its version id. */
  read(name: string): Promise<{ value: string; version?: string }>;
}

/** Metadata of a sink secret that is not its content: tags, content type, absolute expiry (ISO). */
export interface SinkMeta {
  freeformTags: Record<string, string>;
  contentType?: string;
  expiry?: string;
  /** Retrieval of the content is blocked once `expiry` has passed. */
  blockedOnExpiry?: boolean;
}

/** A sink secret this task created (tagged with its source), whether or not its source still exists. */
export interface OwnedSecret {
  id: string;
  name: string;
  /** The Key Vault secret it was created from. */
  source: string;
  lifecycleState: string;
  /** Marked disabled by an earlier `onSourceRemoved: disable`. */
  disabled: boolean;
}

/** What the sink holds under a name. `content` is the current version's bytes, base64. */
export type SinkState =
  | { kind: 'missing' }
  | { kind: 'present'; id: string; version?: number; content: string; meta: SinkMeta; owner?: string }
  | { kind: 'pendingDeletion'; id: string; timeOfDeletion?: string }
  | { kind: 'unavailable'; id: string; state: string };

export interface SecretSink {
  readonly description: string;
  inspect(name: string): Promise<SinkState>;
  /** Secrets created by this task from the given Key Vault (by their tags), in every state but DELETED. */
  owned(vault: string): Promise<OwnedSecret[]>;
  create(name: string, content: string, origin: string, meta: SinkMeta): Promise<{ id: string; version?: number }>;
  update(id: string, content: string): Promise<{ version?: number }>;
  readMeta(id: string): Promise<SinkMeta>;
  /** Tags, metadata and expiry rule; no new version. */
  updateMeta(id: string, meta: SinkMeta): Promise<void>;
  /** Schedules the deletion (OCI's default: 30 days ahead); returns when it will happen. */
  scheduleDeletion(id: string): Promise<{ timeOfDeletion?: string }>;
  /** Cancels a pending deletion and waits until the secret is usable; returns its state afterwards. */
  restore(id: string): Promise<SinkState>;
}

export type PlanAction =
  | 'create'
  | 'update'
  | 'metadata'
  | 'unchanged'
  | 'restore'
  | 'skipped'
  | 'blocked'
  // For OCI secrets whose Key Vault source is gone or disabled (onSourceRemoved):
  | 'kept'
  | 'disable'
  | 'scheduleDeletion';

export interface PlanItem {
  source: string;
  target: string;
  action: PlanAction;
  /** Why skipped / blocked / restore; never a value. */
  reason?: string;
  secretId?: string;
  /** Sink version before the sync, when known. */
  version?: number;
  /** Metadata to write (create, update, metadata, disable), and which fields changed. */
  meta?: SinkMeta;
  metaChanges?: string[];
}

export type Outcome =
  'created' | 'updated' | 'unchanged' | 'skipped' | 'failed' | 'planned' | 'kept' | 'disabled' | 'deletionScheduled';

export interface SyncResult {
  source: string;
  target: string;
  action: PlanAction;
  outcome: Outcome;
  secretId?: string;
  /** Sink version after the sync. */
  version?: number;
  sourceVersion?: string;
  /** A pending deletion was cancelled. */
  restored?: boolean;
  /** Metadata fields written (tags, contentType, expiry). */
  metaChanges?: string[];
  timeOfDeletion?: string;
  message?: string;
}

/** Base64 of each source value, by source name, kept out of plans and results. */
export type ValueBook = Map<string, { value: string; content: string; version?: string }>;
