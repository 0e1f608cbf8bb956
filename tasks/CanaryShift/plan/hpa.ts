import { KubeObject } from '../../common/kube/types';
import { ROLE_LABEL, STABLE_OF } from './canary-spec';
import { HpaBounds } from './replicas';

/**
 * The stable's HorizontalPodAutoscaler (autoscaling/v2), if it scales this Deployment: `kubectl autoscale
 * deployment web` names it after the Deployment, and so do the common charts; its scaleTargetRef must agree.
 */
export function scalesDeployment(hpa: KubeObject | undefined, deployment: string): boolean {
  const ref = hpa?.spec?.scaleTargetRef as { kind?: string; name?: string; apiVersion?: string } | undefined;
  return (
    !!ref && ref.kind === 'Deployment' && ref.name === deployment && (ref.apiVersion ?? 'apps/v1').startsWith('apps/')
  );
}

/**
 * The canary's (or preview's) HPA: the stable's metrics and behavior (per-pod targets hold for the new pods too),
 * aimed at the new Deployment, with the bounds of its share of the traffic.
 */
export function canaryHpa(
  stable: KubeObject,
  target: { name: string; role: 'canary' | 'preview' },
  bounds: HpaBounds,
  annotations: Record<string, string>,
): KubeObject {
  const { minReplicas: _min, maxReplicas: _max, scaleTargetRef, ...rest } = stable.spec ?? {};
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: target.name,
      namespace: stable.metadata.namespace,
      labels: { [ROLE_LABEL]: target.role },
      annotations: { ...annotations, [STABLE_OF]: stable.metadata.name },
    },
    spec: {
      ...rest,
      scaleTargetRef: { apiVersion: scaleTargetRef?.apiVersion ?? 'apps/v1', kind: 'Deployment', name: target.name },
      minReplicas: bounds.minReplicas,
      maxReplicas: bounds.maxReplicas,
    },
  };
}
