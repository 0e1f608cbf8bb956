/**
 * Canary sizing: the canary gets the share of pods its share of traffic needs, so a 50% canary next to a
 * 4-replica stable has 2 pods and a 100% canary as many as the stable (a single pod taking all the traffic of
 * four is how canaries fall over). The stable is never scaled down before promote.
 */
export function canaryReplicasFor(stableReplicas: number, weight: number, maxCanaryReplicas?: number): number {
  const stable = Math.max(1, Math.floor(stableReplicas));
  const w = Math.min(100, Math.max(0, weight));
  // At least one pod even at weight 0: header-routed testers and analysis reach it before user traffic does.
  const wanted = Math.max(1, Math.ceil((stable * w) / 100));
  return maxCanaryReplicas && maxCanaryReplicas > 0 ? Math.min(wanted, maxCanaryReplicas) : wanted;
}

/** The stable's size that counts: an HPA decides it, so its live count (status) wins over spec.replicas. */
export function stableReplicaCount(
  stable: { spec?: { replicas?: number }; status?: { replicas?: number } },
  hasHpa: boolean,
): number {
  const spec = Number(stable.spec?.replicas ?? 1);
  const live = Number(stable.status?.replicas ?? spec);
  return hasHpa ? Math.max(1, live) : Math.max(1, spec);
}

export interface HpaBounds {
  minReplicas: number;
  maxReplicas: number;
}

/**
 * The canary's HPA bounds, from the stable's at the canary's weight: min and max scaled like the replicas
 * (min at least 1, max at least min), both capped by maxCanaryReplicas. The metrics are copied as they are:
 * per-pod targets (CPU utilisation, requests per pod) hold for the canary's pods too.
 */
export function canaryHpaBounds(
  stable: { minReplicas?: number; maxReplicas: number },
  weight: number,
  maxCanaryReplicas?: number,
): HpaBounds {
  const min = canaryReplicasFor(stable.minReplicas ?? 1, weight, maxCanaryReplicas);
  const max = Math.max(min, canaryReplicasFor(stable.maxReplicas, weight, maxCanaryReplicas));
  return { minReplicas: min, maxReplicas: max };
}
