import { JsonObject, clone, isObject } from './patch';
import { Entry, ObjectStore } from './store';

/**
 * How a Deployment's rollout ends in the emulator:
 * - `available`: after `delayMs`, every replica is updated, ready and available (Progressing=NewReplicaSetAvailable);
 * - `progressDeadlineExceeded`: after `delayMs`, Progressing=False reason ProgressDeadlineExceeded, no pod ready;
 * - `stuck`: the rollout never completes (readiness never reached, no condition change).
 */
export interface RolloutBehavior {
  outcome: 'available' | 'progressDeadlineExceeded' | 'stuck';
  delayMs: number;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string): JsonObject {
  return { type, status, reason, message, lastUpdateTime: now(), lastTransitionTime: now() };
}

/** Simulates the deployment controller: observes each new generation, then finishes (or fails) the rollout. */
export class DeploymentController {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly behaviors = new Map<string, RolloutBehavior>();
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private defaultBehavior: RolloutBehavior,
  ) {
    store.on((e) => {
      if (e.resource.kind !== 'Deployment' || e.type === 'DELETED' || e.source === 'controller') return;
      const meta = e.object.metadata as JsonObject;
      const key = `${meta.namespace}/${meta.name}`;
      const generation = meta.generation as number;
      // Status-only writes do not start a rollout; a new generation does.
      if (this.seen.get(key) === generation) return;
      this.seen.set(key, generation);
      this.schedule(meta.namespace as string, meta.name as string, generation);
    });
  }

  /** Sets the behavior for one Deployment (namespace/name), or the default when no name is given. */
  setBehavior(behavior: RolloutBehavior, namespace?: string, name?: string): void {
    if (namespace && name) this.behaviors.set(`${namespace}/${name}`, behavior);
    else this.defaultBehavior = behavior;
  }

  private entry(ns: string, name: string): Entry | undefined {
    const t = this.store.typeFor('apps', 'v1', 'deployments')!;
    return this.store.get(t, ns, name);
  }

  private schedule(ns: string, name: string, generation: number): void {
    const behavior = this.behaviors.get(`${ns}/${name}`) ?? this.defaultBehavior;
    const observe = setTimeout(() => {
      this.timers.delete(observe);
      this.observe(ns, name, generation);
    }, 0);
    this.timers.add(observe);
    if (behavior.outcome === 'stuck') return;
    const finish = setTimeout(
      () => {
        this.timers.delete(finish);
        this.finish(ns, name, generation, behavior);
      },
      Math.max(1, behavior.delayMs),
    );
    this.timers.add(finish);
  }

  private write(entry: Entry, status: JsonObject): void {
    const obj = clone(entry.obj);
    obj.status = status;
    this.store.update(entry, obj, false, 'controller');
  }

  /** The controller has seen the new spec: new pods are starting, none of them ready yet. */
  private observe(ns: string, name: string, generation: number): void {
    const entry = this.entry(ns, name);
    if (!entry || (entry.obj.metadata as JsonObject).generation !== generation) return;
    const spec = entry.obj.spec as JsonObject;
    const replicas = spec.replicas as number;
    const prev = isObject(entry.obj.status) ? entry.obj.status : {};
    const available = Math.min(Number(prev.availableReplicas ?? 0), replicas);
    this.write(entry, {
      observedGeneration: generation,
      replicas,
      updatedReplicas: 0,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
      conditions: [
        condition(
          'Available',
          available >= replicas ? 'True' : 'False',
          available >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          'Deployment availability',
        ),
        condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${name}-${generation}" is progressing.`),
      ],
    });
  }

  private finish(ns: string, name: string, generation: number, behavior: RolloutBehavior): void {
    const entry = this.entry(ns, name);
    if (!entry || (entry.obj.metadata as JsonObject).generation !== generation) return;
    const replicas = (entry.obj.spec as JsonObject).replicas as number;
    if (behavior.outcome === 'available') {
      this.write(entry, {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
          condition(
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${name}-${generation}" has successfully progressed.`,
          ),
        ],
      });
    } else {
      this.write(entry, {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: 0,
        availableReplicas: 0,
        unavailableReplicas: replicas,
        conditions: [
          condition(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          ),
          condition(
            'Progressing',
            'False',
            'ProgressDeadlineExceeded',
            `ReplicaSet "${name}-${generation}" has timed out progressing.`,
          ),
        ],
      });
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
