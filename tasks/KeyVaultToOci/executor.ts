import { errorMessage } from '../common/errors';
import { mapLimit } from '../common/map-limit';
import { disabledMeta } from './metadata';
import { PlanItem, SecretSink, SyncResult, ValueBook } from './sync-model';

export interface ExecuteDeps {
  sink: SecretSink;
  values: ValueBook;
  /** "Key Vault kv-shop/db-password": written into the OCI secret's description and tags. */
  origin: (source: string) => string;
  /** Old OCI contents read during a restore are secrets too. */
  registerSecret: (value: string) => void;
  signal: AbortSignal;
  concurrency: number;
  log: (line: string) => void;
  now: () => Date;
}

/** OCI secrets whose Key Vault source is gone or disabled: no value is involved. */
async function revoke(item: PlanItem, base: SyncResult, deps: ExecuteDeps): Promise<SyncResult> {
  switch (item.action) {
    case 'kept':
      return { ...base, outcome: 'kept', message: item.reason };
    case 'disable': {
      const meta = disabledMeta(await deps.sink.readMeta(item.secretId!), deps.now());
      await deps.sink.updateMeta(item.secretId!, meta);
      deps.log(
        `disabled ${item.target} (${item.reason}): content retrieval blocked from ${meta.expiry}, OCI's earliest expiry`,
      );
      return { ...base, outcome: 'disabled', message: item.reason, timeOfDeletion: undefined };
    }
    default: {
      const { timeOfDeletion } = await deps.sink.scheduleDeletion(item.secretId!);
      deps.log(
        `scheduled the deletion of ${item.target} (${item.reason})${timeOfDeletion ? ` for ${timeOfDeletion}` : ''}`,
      );
      return { ...base, outcome: 'deletionScheduled', message: item.reason, timeOfDeletion };
    }
  }
}

/**
 * Applies a plan. Each secret succeeds or fails on its own: one failure never hides what the others did,
 * and a re-run plans again from what is now in OCI, so it finishes the rest.
 */
export async function executePlan(items: PlanItem[], deps: ExecuteDeps): Promise<SyncResult[]> {
  return mapLimit(items, deps.concurrency, async (item): Promise<SyncResult> => {
    const base: SyncResult = {
      source: item.source,
      target: item.target,
      action: item.action,
      outcome: 'failed',
      secretId: item.secretId,
      version: item.version,
    };
    if (item.action === 'skipped') return { ...base, outcome: 'skipped', message: item.reason };
    if (item.action === 'blocked') return { ...base, message: item.reason };
    if (deps.signal.aborted) return { ...base, message: 'not attempted: the task was cancelled or timed out' };
    if (item.action === 'kept' || item.action === 'disable' || item.action === 'scheduleDeletion') {
      try {
        return await revoke(item, base, deps);
      } catch (err) {
        return { ...base, message: errorMessage(err) };
      }
    }
    const v = deps.values.get(item.source);
    if (!v)
      return item.action === 'unchanged'
        ? { ...base, outcome: 'unchanged', message: item.reason }
        : { ...base, message: 'the source value was not read' };
    const result = { ...base, sourceVersion: v.version };
    try {
      switch (item.action) {
        case 'unchanged':
          return { ...result, outcome: 'unchanged' };
        case 'metadata':
          await deps.sink.updateMeta(item.secretId!, item.meta!);
          deps.log(`updated ${item.metaChanges!.join(', ')} of ${item.target} (content unchanged)`);
          return { ...result, outcome: 'updated', metaChanges: item.metaChanges };
        case 'create': {
          const created = await deps.sink.create(
            item.target,
            v.content,
            deps.origin(item.source),
            item.meta ?? { freeformTags: {} },
          );
          deps.log(`created ${item.target} (version ${created.version ?? '?'})`);
          return { ...result, outcome: 'created', secretId: created.id, version: created.version };
        }
        case 'update': {
          // Metadata first: re-enabling a disabled secret lifts its expiry rule before the new version lands.
          if (item.meta) await deps.sink.updateMeta(item.secretId!, item.meta);
          const updated = await deps.sink.update(item.secretId!, v.content);
          deps.log(`updated ${item.target} (version ${item.version ?? '?'} → ${updated.version ?? '?'})`);
          return { ...result, outcome: 'updated', version: updated.version, metaChanges: item.metaChanges };
        }
        case 'restore': {
          const state = await deps.sink.restore(item.secretId!);
          if (state.kind !== 'present')
            return {
              ...result,
              restored: true,
              message: `deletion cancelled, but the secret is ${state.kind === 'unavailable' ? state.state : state.kind}; re-run to finish`,
            };
          deps.registerSecret(Buffer.from(state.content, 'base64').toString('utf8'));
          deps.log(`cancelled the pending deletion of ${item.target}`);
          if (state.content === v.content)
            return { ...result, outcome: 'unchanged', restored: true, version: state.version };
          const updated = await deps.sink.update(state.id, v.content);
          deps.log(`updated ${item.target} (version ${state.version ?? '?'} → ${updated.version ?? '?'})`);
          return { ...result, outcome: 'updated', restored: true, version: updated.version };
        }
      }
    } catch (err) {
      return { ...result, message: errorMessage(err) };
    }
  });
}
