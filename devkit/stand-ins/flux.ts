/**
 * Flux on the kube emulator, as the seeds run it: the CRDs its controllers serve (kustomize.toolkit.fluxcd.io
 * Kustomization v1/v1beta2, helm.toolkit.fluxcd.io HelmRelease v2/v2beta2/v2beta1, status subresource), an owner
 * in flux-system, and the owner labels kustomize-controller / helm-controller put on what they apply.
 *
 *   installFlux(kube);  fluxOwn(kube, 'Kustomization', 'apps', [['apps/v1', 'Deployment', 'web'], …])
 *   suspended(kube, 'Kustomization', 'apps', ns?)   // spec.suspend of the owner now
 *   await runCanaryAs(kube, inputs, { 'Build.BuildId': '4712' })   // kube-fixture's runCanary as another run
 */
import { KubeApiServer } from '../emulators/kube-apiserver';
import { JsonObject } from '../emulators/kube/patch';
import { InProcessRun, NS, runCanary } from './kube-fixture';

export const FLUX_NS = 'flux-system';
type OwnerKind = 'Kustomization' | 'HelmRelease';
const API: Record<OwnerKind, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
};

export function installFlux(kube: KubeApiServer): void {
  kube.register({
    group: 'kustomize.toolkit.fluxcd.io',
    versions: ['v1', 'v1beta2'],
    kind: 'Kustomization',
    plural: 'kustomizations',
    shortNames: ['ks'],
    namespaced: true,
    status: true,
  });
  kube.register({
    group: 'helm.toolkit.fluxcd.io',
    versions: ['v2', 'v2beta2', 'v2beta1'],
    kind: 'HelmRelease',
    plural: 'helmreleases',
    shortNames: ['hr'],
    namespaced: true,
    status: true,
  });
  kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NS } });
}

/** Seeds the owner (as in Flux's docs: ./apps from the flux-system GitRepository) and labels the objects it owns. */
export function fluxOwn(
  kube: KubeApiServer,
  kind: OwnerKind,
  name: string,
  objects: [apiVersion: string, kind: string, name: string][],
  opts: { suspend?: boolean; namespaceLabel?: boolean } = {},
): void {
  const spec: JsonObject =
    kind === 'Kustomization'
      ? { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } }
      : { interval: '10m', chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'shop' } } } };
  if (opts.suspend) spec.suspend = true;
  // Without the namespace label (helm-controller before Flux 2.x) the owner is in the objects' namespace.
  const namespace = opts.namespaceLabel === false ? NS : FLUX_NS;
  kube.seed({ apiVersion: API[kind], kind, metadata: { name, namespace }, spec });
  const prefix = kind === 'Kustomization' ? 'kustomize.toolkit.fluxcd.io' : 'helm.toolkit.fluxcd.io';
  for (const [apiVersion, k, n] of objects) {
    const obj = kube.get(apiVersion, k, NS, n)!;
    const meta = obj.metadata as JsonObject;
    const labels = (meta.labels ?? {}) as JsonObject;
    meta.labels = {
      ...labels,
      [`${prefix}/name`]: name,
      ...(opts.namespaceLabel === false ? {} : { [`${prefix}/namespace`]: FLUX_NS }),
    };
    kube.delete(apiVersion, k, NS, n);
    kube.seed(obj);
  }
}

export function suspended(kube: KubeApiServer, kind: OwnerKind, name: string, namespace = FLUX_NS): unknown {
  return (kube.get(API[kind], kind, namespace, name)?.spec as JsonObject | undefined)?.suspend;
}

/** kube-fixture's runCanary, with other pipeline variables (another run: another Build.BuildId). */
export function runCanaryAs(
  kube: KubeApiServer,
  inputs: Record<string, string>,
  variables: Record<string, string> = {},
): Promise<InProcessRun> {
  return runCanary(kube, inputs, { variables });
}
