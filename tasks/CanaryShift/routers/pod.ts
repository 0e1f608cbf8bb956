import { TaskError } from '../../common/errors';
import { converge } from '../../common/kube/converge';
import { WEIGHT_ANNOTATION, canaryNameOf } from '../plan/canary-spec';
import { RouterDeps, TrafficRouter } from './router';

/**
 * Replica-ratio routing: the stable Service selects stable and canary pods alike, so the canary's
 * share is canary / (stable + canary) pods. The stable Deployment is never scaled before promotion,
 * so the canary count is solved for a fixed stable count: c = S·w / (100 − w), rounded to the
 * nearest whole pod (at least one pod for any weight above 0). 100% is reached only by promotion.
 */
export function podCanaryReplicas(stableReplicas: number, weight: number): number {
  if (weight <= 0) return 0;
  if (weight >= 100) throw new RangeError('the pod router reaches 100% only by promotion');
  if (stableReplicas <= 0) return 1;
  return Math.max(1, Math.round((stableReplicas * weight) / (100 - weight)));
}

/** The share of pods (and so of requests, on average) the canary has. */
export function podWeight(stableReplicas: number, canaryReplicas: number): number {
  const total = stableReplicas + canaryReplicas;
  return total > 0 ? Math.round((100 * canaryReplicas) / total) : 0;
}

export function podRouter(deps: RouterDeps): TrafficRouter {
  const canary = canaryNameOf(deps.deployment);
  const stableReplicas = async (): Promise<number> => {
    const stable = await deps.api.get('Deployment', deps.deployment);
    if (!stable)
      throw new TaskError(`Deployment ${deps.deployment} does not exist in namespace ${deps.api.namespace}.`);
    return Number(stable.spec?.replicas ?? 1);
  };
  const scale = async (replicas: number, weight: number): Promise<void> => {
    const result = await converge(
      deps.api,
      'Deployment',
      canary,
      (current) => {
        if (!current)
          throw new TaskError(
            `The canary Deployment ${canary} does not exist.`,
            'Run the deploy action (or run) first.',
          );
        if (current.spec?.replicas === replicas && current.metadata.annotations?.[WEIGHT_ANNOTATION] === String(weight))
          return undefined;
        return {
          op: 'patch',
          type: 'merge',
          body: {
            metadata: { annotations: { ...deps.annotations, [WEIGHT_ANNOTATION]: String(weight) } },
            spec: { replicas },
          },
        };
      },
      { signal: deps.signal, log: deps.log },
    );
    if (result.changed) deps.log(`Scaled ${canary} to ${replicas} replica(s).`);
  };

  return {
    kind: 'pod',
    usesCanaryService: false,
    async verify() {
      await stableReplicas();
    },
    async currentWeight() {
      const c = await deps.api.get('Deployment', canary);
      return c ? podWeight(await stableReplicas(), Number(c.spec?.replicas ?? 0)) : 0;
    },
    async setWeight(weight) {
      const s = await stableReplicas();
      const replicas = podCanaryReplicas(s, weight);
      await scale(replicas, weight);
      // New canary pods take traffic as soon as they are ready: wait for them before reporting the shift.
      if (replicas > 0) await deps.waitCanaryAvailable();
      return podWeight(s, replicas);
    },
    async reset() {
      if (await deps.api.get('Deployment', canary)) await scale(0, 0);
    },
  };
}
