import { errorMessage } from '../common/errors';
import { mapLimit } from '../common/map-limit';
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
}

/**
 * Applies a plan. Each secret succeeds or fails on its own: one failure never hides what the others did,
 * and a re-run plans again from what is now in OCI, so it finishes the rest.
 */
export async function executePlan(items: PlanItem[], deps: ExecuteDeps): Promise<SyncResult[]> {
  return mapLimit(items, deps.concurrency, async (item): Promise<SyncResult> => {
    const base: SyncResult = { source: item.source, target: item.target, action: item.action, outcome: 'failed', secretId: item.secretId, version: item.version };
    if (item.action === 'skipped') return { ...base, outcome: 'skipped', message: item.reason };
    if (item.action === 'blocked') return { ...base, message: item.reason };
    if (deps.signal.aborted) return { ...base, message: 'not attempted: the task was cancelled or timed out' };
    const v = deps.values.get(item.source);
    if (!v) return { ...base, message: 'the source value was not read' };
    const result = { ...base, sourceVersion: v.version };
    try {
      switch (item.action) {
        case 'unchanged':
          return { ...result, outcome: 'unchanged' };
        case 'create': {
          const created = await deps.sink.create(item.target, v.content, deps.origin(item.source));
          deps.log(`created ${item.target} (version ${created.version ?? '?'})`);
          return { ...result, outcome: 'created', secretId: created.id, version: created.version };
        }
        case 'update': {
          const updated = await deps.sink.update(item.secretId!, v.content);
          deps.log(`updated ${item.target} (version ${item.version ?? '?'} → ${updated.version ?? '?'})`);
          return { ...result, outcome: 'updated', version: updated.version };
        }
        case 'restore': {
          const state = await deps.sink.restore(item.secretId!);
          if (state.kind !== 'present') return { ...result, restored: true, message: `deletion cancelled, but the secret is ${state.kind === 'unavailable' ? state.state : state.kind}; re-run to finish` };
          deps.registerSecret(Buffer.from(state.content, 'base64').toString('utf8'));
          deps.log(`cancelled the pending deletion of ${item.target}`);
          if (state.content === v.content) return { ...result, outcome: 'unchanged', restored: true, version: state.version };
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
