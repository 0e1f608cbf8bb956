import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, createKubeClient } from '../../common/kube/client';
import { KubeError, kubeErrorText } from '../../common/kube/errors';
import { KubeObject, ResourceType } from '../../common/kube/types';
import { TaskError } from '../../common/errors';
import { RetryPolicy, DEFAULT_RETRY_POLICY } from '../../common/retry-policy';
import { FIELD_MANAGER } from './cr';

export type OperatorKind =
  'AutonomousDatabase' | 'AutonomousDatabaseBackup' | 'AutonomousDatabaseRestore' | 'Secret' | 'ConfigMap';

const OPERATOR = 'the Oracle Database Operator (v1.2 or later)';
const KINDS: Record<OperatorKind, ResourceType> = {
  AutonomousDatabase: {
    group: 'database.oracle.com',
    plural: 'autonomousdatabases',
    versions: ['v4'],
    missing: OPERATOR,
  },
  AutonomousDatabaseBackup: {
    group: 'database.oracle.com',
    plural: 'autonomousdatabasebackups',
    versions: ['v4'],
    missing: OPERATOR,
  },
  AutonomousDatabaseRestore: {
    group: 'database.oracle.com',
    plural: 'autonomousdatabaserestores',
    versions: ['v4'],
    missing: OPERATOR,
  },
  Secret: { group: '', plural: 'secrets', versions: ['v1'] },
  ConfigMap: { group: '', plural: 'configmaps', versions: ['v1'] },
};

const FIXES: Partial<Record<number, string>> = {
  401: "Check the Kubernetes service connection's credentials.",
  403: "Grant the service connection's identity rights on autonomousdatabases.database.oracle.com and secrets in the namespace.",
  409: 'Another field manager owns these fields; run the task again.',
  422: 'Fix the value the cluster names above.',
};

/**
 * Operator mode's view of the shared Kubernetes client: writes are server-side applies (idempotent by
 * construction) or merge patches, and every failure becomes an error that says what to do.
 */
export class Kube {
  constructor(private readonly client: KubeClient<OperatorKind>) {}

  static connect(kc: KubeConfig, namespace: string, signal: AbortSignal, deadline: number, policy?: RetryPolicy): Kube {
    return new Kube(
      createKubeClient(kc, {
        namespace,
        types: KINDS,
        signal,
        deadline,
        policy: policy ?? DEFAULT_RETRY_POLICY,
        fieldManager: FIELD_MANAGER,
      }),
    );
  }

  async read<T extends KubeObject>(kind: OperatorKind, name: string): Promise<T | undefined> {
    return this.mapped(
      `read ${kind} ${this.client.namespace}/${name}`,
      async () => (await this.client.get(kind, name)) as T | undefined,
    );
  }

  /** Server-side apply (application/apply-patch+yaml) as our field manager; force takes over fields kubectl set. */
  async apply(obj: Record<string, unknown>): Promise<KubeObject> {
    return this.write(obj as unknown as KubeObject, 'apply');
  }

  /** JSON merge patch (the content type custom resources accept): changes only the fields sent. */
  async mergePatch(obj: Record<string, unknown>): Promise<KubeObject> {
    return this.write(obj as unknown as KubeObject, 'merge');
  }

  async remove(kind: OperatorKind, name: string): Promise<void> {
    await this.mapped(`delete ${kind} ${this.client.namespace}/${name}`, () => this.client.remove(kind, name));
  }

  private write(obj: KubeObject, type: 'apply' | 'merge'): Promise<KubeObject> {
    const kind = obj.kind as OperatorKind;
    const what = `${type === 'apply' ? 'apply' : 'patch'} ${kind} ${this.client.namespace}/${obj.metadata.name}`;
    return this.mapped(what, () => this.client.patch(kind, obj.metadata.name, obj, type));
  }

  private async mapped<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw kubeFailure(err, what);
    }
  }
}

function kubeFailure(err: unknown, what: string): Error {
  if (err instanceof TaskError) return err;
  if (err instanceof KubeError && err.code === 404 && /serves no/.test(err.message)) {
    return new TaskError(
      `Could not ${what}: ${kubeErrorText(err)}.`,
      'Install the Oracle Database Operator (v1.2 or later) in the cluster.',
    );
  }
  const status = err instanceof KubeError ? err.code : undefined;
  return new TaskError(
    `Could not ${what}: ${kubeErrorText(err)}.`,
    (status && FIXES[status]) || "Check the cluster's API server and the service connection.",
  );
}
