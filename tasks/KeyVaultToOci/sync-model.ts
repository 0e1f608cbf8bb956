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
}

export interface SecretSource {
  /** e.g. "Key Vault kv-shop" */
  readonly description: string;
  /** Every secret's properties, all pages. */
  list(): Promise<SourceSecret[]>;
  /** The current value and its version id. */
  read(name: string): Promise<{ value: string; version?: string }>;
}

/** What the sink holds under a name. `content` is the current version's bytes, base64. */
export type SinkState =
  | { kind: 'missing' }
  | { kind: 'present'; id: string; version?: number; content: string }
  | { kind: 'pendingDeletion'; id: string; timeOfDeletion?: string }
  | { kind: 'unavailable'; id: string; state: string };

export interface SecretSink {
  readonly description: string;
  inspect(name: string): Promise<SinkState>;
  create(name: string, content: string, origin: string): Promise<{ id: string; version?: number }>;
  update(id: string, content: string): Promise<{ version?: number }>;
  /** Cancels a pending deletion and waits until the secret is usable; returns its state afterwards. */
  restore(id: string): Promise<SinkState>;
}

export type PlanAction = 'create' | 'update' | 'unchanged' | 'restore' | 'skipped' | 'blocked';

export interface PlanItem {
  source: string;
  target: string;
  action: PlanAction;
  /** Why skipped / blocked / restore; never a value. */
  reason?: string;
  secretId?: string;
  /** Sink version before the sync, when known. */
  version?: number;
}

export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed' | 'planned';

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
  message?: string;
}

/** Base64 of each source value, by source name, kept out of plans and results. */
export type ValueBook = Map<string, { value: string; content: string; version?: string }>;
