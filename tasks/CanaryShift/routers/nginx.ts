import { TaskError } from '../../common/errors';
import { converge } from '../../common/kube/converge';
import { KubeObject } from '../../common/kube/types';
import { ROLE_LABEL, STABLE_OF, canaryNameOf } from '../plan/canary-spec';
import { RouterDeps, TrafficRouter } from './router';

export const NGINX_CANARY = 'nginx.ingress.kubernetes.io/canary';
export const NGINX_CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

interface Backend {
  service?: { name: string; port?: unknown };
  [k: string]: unknown;
}
interface IngressPath {
  backend: Backend;
  [k: string]: unknown;
}
interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

/**
 * The canary Ingress ingress-nginx pairs with the stable one: same class, hosts and paths, but only the
 * paths served by the stable Service, each pointed at the canary Service, and the canary annotations.
 * The stable Ingress's own nginx settings (rewrites, timeouts…) are copied so both behave alike;
 * other canary-* annotations are not (they would change how traffic is split). TLS stays with the stable Ingress.
 */
export function canaryIngress(
  stable: KubeObject,
  names: { service: string; canary: string },
  weight: number,
  annotations: Record<string, string>,
): KubeObject | { error: string } {
  const rules = ((stable.spec?.rules ?? []) as IngressRule[]).flatMap((rule) => {
    const paths = (rule.http?.paths ?? []).filter((p) => p.backend?.service?.name === names.service);
    return paths.length
      ? [
          {
            ...rule,
            http: {
              paths: paths.map((p) => ({
                ...p,
                backend: { ...p.backend, service: { ...p.backend.service!, name: names.canary } },
              })),
            },
          },
        ]
      : [];
  });
  const defaultBackend =
    (stable.spec?.defaultBackend as Backend | undefined)?.service?.name === names.service
      ? { ...stable.spec.defaultBackend, service: { ...stable.spec.defaultBackend.service, name: names.canary } }
      : undefined;
  if (!rules.length && !defaultBackend)
    return {
      error: `Ingress ${stable.metadata.name} has no path (and no default backend) served by Service ${names.service}`,
    };
  const copied = Object.fromEntries(
    Object.entries(stable.metadata.annotations ?? {}).filter(
      ([k]) =>
        k === 'kubernetes.io/ingress.class' ||
        (k.startsWith('nginx.ingress.kubernetes.io/') && !k.startsWith('nginx.ingress.kubernetes.io/canary')),
    ),
  );
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: canaryNameOf(stable.metadata.name),
      namespace: stable.metadata.namespace,
      labels: { ...(stable.metadata.labels ?? {}), [ROLE_LABEL]: 'canary' },
      annotations: {
        ...copied,
        ...annotations,
        [STABLE_OF]: stable.metadata.name,
        [NGINX_CANARY]: 'true',
        [NGINX_CANARY_WEIGHT]: String(weight),
      },
    },
    spec: {
      ...(stable.spec?.ingressClassName ? { ingressClassName: stable.spec.ingressClassName } : {}),
      ...(defaultBackend ? { defaultBackend } : {}),
      ...(rules.length ? { rules } : {}),
    },
  };
}

export function nginxRouter(deps: RouterDeps): TrafficRouter {
  const stableName = deps.route as string;
  const canaryName = canaryNameOf(stableName);
  const names = { service: deps.service as string, canary: canaryNameOf(deps.service as string) };

  const desired = async (weight: number): Promise<KubeObject> => {
    const stable = await deps.api.get('Ingress', stableName);
    if (!stable)
      throw new TaskError(
        `Ingress ${stableName} does not exist in namespace ${deps.api.namespace}.`,
        'Check the route input: it names the stable Ingress.',
      );
    const out = canaryIngress(stable, names, weight, deps.annotations);
    if ('error' in out) throw new TaskError(`${out.error}.`, 'Point the stable Ingress at the stable Service.');
    return out;
  };

  return {
    kind: 'nginx',
    usesCanaryService: true,
    async verify() {
      await desired(0);
    },
    async currentWeight() {
      const canary = await deps.api.get('Ingress', canaryName);
      const w = Number(canary?.metadata.annotations?.[NGINX_CANARY_WEIGHT] ?? 0);
      return Number.isFinite(w) ? w : 0;
    },
    async setWeight(weight) {
      const want = await desired(weight);
      await converge(
        deps.api,
        'Ingress',
        canaryName,
        (current) => {
          if (!current) return { op: 'create', object: want };
          const sameSpec = JSON.stringify(current.spec) === JSON.stringify(want.spec);
          const a = current.metadata.annotations ?? {};
          const sameWeight = a[NGINX_CANARY] === 'true' && a[NGINX_CANARY_WEIGHT] === String(weight);
          if (sameSpec && sameWeight) return undefined;
          // Ingress is built in, but merge patch is enough: annotations merge, rules are replaced whole.
          return {
            op: 'patch',
            type: 'merge',
            body: { metadata: { annotations: want.metadata.annotations }, spec: want.spec },
          };
        },
        { signal: deps.signal, log: deps.log },
      );
      return weight;
    },
    async reset() {
      if (await deps.api.remove('Ingress', canaryName)) deps.log(`Deleted the canary Ingress ${canaryName}.`);
    },
  };
}
