import type { KubeClient } from '../../common/kube/client';
import { ResourceType } from '../../common/kube/types';

/** What a canary run locks and suspends besides the objects it rolls out: its Lease and Flux's reconcilers. */
export type GuardKind = 'Lease' | 'Kustomization' | 'HelmRelease';

/** One namespace's client on the guard kinds (the Flux object usually lives in flux-system, not the app's). */
export type GuardApi = KubeClient<GuardKind>;

/** Flux CRDs newest first (Flux 2.0+ serves kustomize v1 and helm v2; older clusters the betas). */
export const GUARD_KINDS: Record<GuardKind, ResourceType> = {
  Lease: { group: 'coordination.k8s.io', plural: 'leases', versions: ['v1'] },
  Kustomization: {
    group: 'kustomize.toolkit.fluxcd.io',
    plural: 'kustomizations',
    versions: ['v1', 'v1beta2'],
    missing: 'Flux',
  },
  HelmRelease: {
    group: 'helm.toolkit.fluxcd.io',
    plural: 'helmreleases',
    versions: ['v2', 'v2beta2', 'v2beta1'],
    missing: 'Flux',
  },
};
