import { TaskError } from '../../common/errors';
import { KubeObject } from '../../common/kube/types';
import { TaskHost } from '../../common/host';
import { DesiredDb } from '../model';
import { CloneSource } from '../plan';
import { Transition, WaitContext, pollUntil } from '../wait';
import { AdbCrInput, OciConfigRef } from './cr';
import { bindCr, cloneSourceCr, restoreCr, restoreName } from './cr-lifecycle';
import { Kube } from './kube';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** What adopting, cloning and restoring through the operator need from the back end. */
export interface LifecycleContext {
  kube: Kube;
  host: TaskHost;
  namespace: string;
  /** The AutonomousDatabase resource of the database this step manages. */
  name: string;
  ociConfig: OciConfigRef;
  wait: WaitContext;
}

/**
 * Adopt by OCID: bind a new resource to the database (spec.action Sync) and wait until the operator has read it
 * from OCI (status.lifecycleState set). An existing resource is never rebound.
 */
export async function bindByOcid(c: LifecycleContext, id: string): Promise<Obj> {
  await c.kube.apply(bindCr(c.name, c.namespace, id, c.ociConfig));
  c.host.info(`Bound AutonomousDatabase ${c.namespace}/${c.name} to ${id} (spec.action Sync).`);
  const { value } = await pollUntil(
    `AutonomousDatabase ${c.namespace}/${c.name}`,
    () => c.kube.read<Obj>('AutonomousDatabase', c.name),
    (obj) => {
      const state = String(obj?.status?.lifecycleState ?? '');
      return { state: state || 'waiting for the operator to read it from OCI', done: Boolean(state) };
    },
    c.wait,
  );
  return value!;
}

/**
 * Clone: a helper resource bound to the source carries spec.action Clone; the operator creates the clone and its
 * resource (named after the clone's display name, which validation made equal to ours). The helper is removed
 * once the clone's resource exists (hardLink false: the source database is untouched).
 */
export async function cloneThroughOperator(
  c: LifecycleContext,
  source: CloneSource,
  desired: DesiredDb,
  adminPassword: NonNullable<AdbCrInput['adminPassword']>,
): Promise<Transition[]> {
  const helper = `${c.name.slice(0, 50).replace(/-+$/, '')}-clone-source`;
  await c.kube.apply(
    cloneSourceCr({
      name: helper,
      namespace: c.namespace,
      sourceId: source.sourceId,
      desired,
      cloneType: source.cloneType === 'METADATA' ? 'METADATA' : 'FULL',
      adminPassword,
      ociConfig: c.ociConfig,
    }),
  );
  c.host.info(`Applied AutonomousDatabase ${c.namespace}/${helper} (spec.action Clone of ${source.sourceId}).`);
  const { transitions } = await pollUntil(
    `AutonomousDatabase ${c.namespace}/${c.name}`,
    () => c.kube.read<Obj>('AutonomousDatabase', c.name),
    (obj) => ({ state: obj ? 'created by the operator' : 'waiting for the operator to clone', done: Boolean(obj) }),
    c.wait,
  );
  await c.kube.remove('AutonomousDatabase', helper);
  return transitions;
}

/**
 * Point-in-time restore in place (AutonomousDatabaseRestore → RestoreAutonomousDatabase). The resource is named
 * after the database and the time: a re-run finds it SUCCEEDED and restores nothing again.
 */
export async function restoreThroughOperator(
  c: LifecycleContext,
  timestamp: string,
): Promise<{ transitions: Transition[]; alreadyDone: boolean }> {
  const name = restoreName(c.name, timestamp);
  type Restore = Obj & { status?: { status?: string } };
  const before = await c.kube.read<Restore>('AutonomousDatabaseRestore', name);
  if (before?.status?.status === 'SUCCEEDED') {
    c.host.info(`AutonomousDatabaseRestore ${c.namespace}/${name} already SUCCEEDED: not restoring again.`);
    return { transitions: [], alreadyDone: true };
  }
  if (!before) await c.kube.apply(restoreCr(name, c.namespace, c.name, timestamp, c.ociConfig));
  c.host.info(`Applied AutonomousDatabaseRestore ${c.namespace}/${name}.`);
  const { transitions } = await pollUntil(
    `AutonomousDatabaseRestore ${c.namespace}/${name}`,
    () => c.kube.read<Restore>('AutonomousDatabaseRestore', name),
    (r) => {
      const status = String(r?.status?.status ?? '') || 'waiting for the operator';
      return {
        state: status,
        done: status === 'SUCCEEDED',
        failure:
          status === 'FAILED' || status === 'CANCELED'
            ? new TaskError(
                `The operator reports restore ${c.namespace}/${name} as ${status}.`,
                `Check 'kubectl describe adbr ${name} -n ${c.namespace}'; the time must lie within the backup retention.`,
              )
            : undefined,
      };
    },
    c.wait,
  );
  return { transitions, alreadyDone: false };
}
