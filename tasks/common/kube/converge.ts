import { sleep } from '../sleep';
import type { KubeClient } from './client';
import { KubeError } from './errors';
import { KubeObject, PatchType } from './types';

/** What to do to bring an object to its desired state; undefined = it is already there (no write at all). */
export type Write =
  { op: 'create'; object: KubeObject } | { op: 'patch'; body: unknown; type: PatchType } | { op: 'delete' };

export interface ConvergeResult {
  object?: KubeObject;
  /** False when the object already was as desired: re-runs write nothing. */
  changed: boolean;
}

const ATTEMPTS = 6;

/** Adds the optimistic-concurrency precondition: the write applies only to the object version the plan was computed from. */
function guarded(write: Extract<Write, { op: 'patch' }>, current: KubeObject): unknown {
  const rv = current.metadata.resourceVersion;
  if (!rv) return write.body;
  if (write.type === 'json')
    return [{ op: 'test', path: '/metadata/resourceVersion', value: rv }, ...(write.body as unknown[])];
  const body = write.body as { metadata?: Record<string, unknown> };
  return { ...body, metadata: { ...(body.metadata ?? {}), resourceVersion: rv } };
}

/**
 * Read → plan → write, the way controllers do it: every write is computed from the object it
 * replaces and carries that object's resourceVersion, so a concurrent change (409 Conflict, or a
 * failed JSON-patch test, 422) makes us read again and re-plan instead of overwriting it.
 */
export async function converge<K extends string>(
  api: KubeClient<K>,
  kind: K,
  name: string,
  plan: (current: KubeObject | undefined) => Write | undefined,
  opts: { signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<ConvergeResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await api.get(kind, name);
    const write = plan(current);
    if (!write) return { object: current, changed: false };
    try {
      if (write.op === 'create') return { object: await api.create(kind, write.object), changed: true };
      if (!current) throw new KubeError(404, 'NotFound', `${kind} "${name}" does not exist`);
      if (write.op === 'delete') {
        await api.remove(kind, name);
        return { changed: true };
      }
      return { object: await api.patch(kind, name, guarded(write, current), write.type), changed: true };
    } catch (err) {
      const stale = err instanceof KubeError && (err.code === 409 || (err.code === 422 && /test/.test(err.message)));
      if (!stale || attempt >= ATTEMPTS) throw err;
      opts.log?.(
        `${kind} ${name} changed while we wrote it (${err.reason}); reading it again (attempt ${attempt + 1} of ${ATTEMPTS})`,
      );
      await sleep(Math.min(1000, 50 * 2 ** attempt), opts.signal);
    }
  }
}
