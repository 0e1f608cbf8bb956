import { KubeConfig, KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { TaskError } from '../../common/errors';
import { DEFAULT_RETRY_POLICY, RetryPolicy, decideRetry } from '../../common/retry-policy';
import { sleep } from '../../common/sleep';
import { FIELD_MANAGER } from './cr';

/**
 * The few Kubernetes calls operator mode needs, with retries on 429/5xx (client-node has none)
 * and errors that say what to do. Writes are server-side applies: idempotent by construction.
 */
export class Kube {
  constructor(private readonly api: KubernetesObjectApi, private readonly signal: AbortSignal, private readonly deadline: number, private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY) {}

  static async connect(kc: KubeConfig, signal: AbortSignal, deadline: number, policy?: RetryPolicy): Promise<Kube> {
    return new Kube(KubernetesObjectApi.makeApiClient(kc), signal, deadline, policy);
  }

  async read<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.retrying(`read ${kind} ${namespace}/${name}`, () => this.api.read<T>({ apiVersion, kind, metadata: { name, namespace } }));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Server-side apply (application/apply-patch+yaml) as our field manager; force takes over fields kubectl set. */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    const what = `apply ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`;
    return this.retrying(what, () => this.api.patch<T>(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }

  /** JSON merge patch (the content type custom resources accept): changes only the fields sent. */
  async mergePatch<T extends KubernetesObject>(obj: T): Promise<T> {
    const what = `patch ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`;
    return this.retrying(what, () => this.api.patch<T>(obj, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch));
  }

  async remove(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    try {
      await this.retrying(`delete ${kind} ${namespace}/${name}`, () => this.api.delete({ apiVersion, kind, metadata: { name, namespace } }));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  private async retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) throw err;
        const decision = decideRetry(status ? { status } : { errorCode: (err as { code?: string }).code ?? 'UNKNOWN' }, attempt, { idempotent: true, remainingMs: this.deadline - Date.now(), nowMs: Date.now(), policy: this.policy, random: Math.random });
        if (!decision.retry) throw kubeFailure(err, what);
        await sleep(decision.delayMs, this.signal);
      }
    }
  }
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function kubeFailure(err: unknown, what: string): TaskError {
  const status = statusOf(err);
  const body = (err as { body?: unknown }).body;
  let reason = err instanceof Error ? err.message : String(err);
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    if (parsed && typeof parsed === 'object' && 'message' in parsed) reason = String((parsed as { message: unknown }).message);
  } catch {
    // Not a Status object: keep the client's message.
  }
  if (/Unrecognized API version and kind/i.test(reason) || (status === 404 && /autonomousdatabase/i.test(what))) {
    return new TaskError(`Could not ${what}: the cluster does not serve database.oracle.com/v4 (${reason}).`, 'Install the Oracle Database Operator (v1.2 or later) in the cluster.');
  }
  const fix: Record<number, string> = {
    401: 'Check the Kubernetes service connection\'s credentials.',
    403: 'Grant the service connection\'s identity rights on autonomousdatabases.database.oracle.com and secrets in the namespace.',
    409: 'Another field manager owns these fields; run the task again.',
    422: 'Fix the value the cluster names above.',
  };
  return new TaskError(`Could not ${what}: ${status ? `HTTP ${status} ` : ''}${reason}.`, (status && fix[status]) || 'Check the cluster\'s API server and the service connection.');
}
