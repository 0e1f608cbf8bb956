import type { KubeClient } from '../../common/kube/client';
import { KUBE_FIXES, KubeFixes } from '../../common/kube/errors';
import { ResourceType } from '../../common/kube/types';

export type Kind = 'Deployment' | 'Service' | 'Ingress' | 'HTTPRoute' | 'VirtualService' | 'HorizontalPodAutoscaler';

/** The shared Kubernetes client, on the kinds a rollout touches. */
export type KubeApi = KubeClient<Kind>;

/**
 * Custom resources list their versions newest first; older clusters (Istio < 1.22, Gateway API < 1.0)
 * serve only the older ones. Deployments go as raw JSON too: a promotion must not lose any of the pod spec.
 */
export const KINDS: Record<Kind, ResourceType> = {
  Deployment: { group: 'apps', plural: 'deployments', versions: ['v1'] },
  // Services are only read for their selector and ports, and created whole: the typed API is enough.
  Service: { group: '', plural: 'services', versions: ['v1'] },
  Ingress: { group: 'networking.k8s.io', plural: 'ingresses', versions: ['v1'] },
  // autoscaling/v2 is GA since Kubernetes 1.23 (v2beta2 was removed in 1.26).
  HorizontalPodAutoscaler: { group: 'autoscaling', plural: 'horizontalpodautoscalers', versions: ['v2'] },
  HTTPRoute: {
    group: 'gateway.networking.k8s.io',
    plural: 'httproutes',
    versions: ['v1', 'v1beta1'],
    missing: 'Gateway API',
  },
  VirtualService: {
    group: 'networking.istio.io',
    plural: 'virtualservices',
    versions: ['v1', 'v1beta1'],
    missing: 'Istio',
  },
};

export const CANARY_KUBE_FIXES: KubeFixes = {
  ...KUBE_FIXES,
  403:
    "Grant the connection's identity get, list, create, patch and delete on deployments (apps), services, " +
    'the route kind and horizontalpodautoscalers (autoscaling) in this namespace (Role + RoleBinding).',
};
