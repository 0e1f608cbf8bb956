import { TaskError } from '../../common/errors';
import { converge } from '../../common/kube/converge';
import { KubeObject } from '../../common/kube/types';
import { WEIGHT_ANNOTATION, canaryNameOf } from '../plan/canary-spec';
import { RouterDeps, TrafficRouter } from './router';
import { virtualServiceHeaderHttp } from '../plan/header-route';

interface Destination {
  host: string;
  subset?: string;
  port?: { number: number };
  [k: string]: unknown;
}
interface RouteDestination {
  destination: Destination;
  weight?: number;
  [k: string]: unknown;
}
interface HttpRoute {
  route?: RouteDestination[];
  [k: string]: unknown;
}

/** `web`, `web.shop`, `web.shop.svc`, `web.shop.svc.cluster.local`: the forms a VirtualService may name a Service by. */
export function hostIs(host: string, service: string, namespace: string): boolean {
  if (host === service) return true;
  const rest = host.startsWith(`${service}.`) ? host.slice(service.length + 1) : undefined;
  return (
    rest !== undefined && (rest === namespace || rest === `${namespace}.svc` || rest.startsWith(`${namespace}.svc.`))
  );
}

/**
 * New VirtualService http routes: wherever a route sends traffic to the stable Service, the stable
 * destination gets 100-w and a canary destination (same host form and port, the canary Service, no
 * subset) gets w. `weight` undefined removes the canary destination and the stable weight again.
 */
export function virtualServiceHttp(
  http: HttpRoute[],
  names: { stable: string; canary: string; namespace: string },
  weight: number | undefined,
): { http: HttpRoute[]; matched: number } | { error: string } {
  let matched = 0;
  const out: HttpRoute[] = [];
  for (const [i, entry] of http.entries()) {
    const routes = entry.route ?? [];
    const stable = routes.find((r) => hostIs(r.destination?.host ?? '', names.stable, names.namespace));
    if (!stable) {
      out.push(entry);
      continue;
    }
    const isCanary = (r: RouteDestination): boolean => hostIs(r.destination?.host ?? '', names.canary, names.namespace);
    const others = routes.filter((r) => r !== stable && !isCanary(r));
    if (others.length)
      return {
        error: `http route ${i + 1} also sends traffic to ${others.map((o) => o.destination?.host).join(', ')}; the canary split needs routes whose only destination is ${names.stable}`,
      };
    matched++;
    if (weight === undefined && !routes.some(isCanary)) {
      out.push(entry);
      continue;
    }
    const { weight: _w, ...base } = stable;
    const { subset: _s, ...dest } = stable.destination;
    const canaryHost = `${names.canary}${stable.destination.host.slice(names.stable.length)}`;
    const route: RouteDestination[] =
      weight === undefined
        ? [base]
        : [
            { ...base, weight: 100 - weight },
            { ...base, destination: { ...dest, host: canaryHost }, weight },
          ];
    out.push({ ...entry, route });
  }
  return { http: out, matched };
}

export function virtualServiceWeight(
  http: HttpRoute[],
  names: { stable: string; canary: string; namespace: string },
): number {
  for (const entry of http) {
    const canary = (entry.route ?? []).find((r) => hostIs(r.destination?.host ?? '', names.canary, names.namespace));
    // A canaryHeader entry (canary only) is not the split.
    const stable = (entry.route ?? []).some((r) => hostIs(r.destination?.host ?? '', names.stable, names.namespace));
    if (canary && stable) return canary.weight ?? 0;
  }
  return 0;
}

export function istioRouter(deps: RouterDeps): TrafficRouter {
  const name = deps.route as string;
  const names = {
    stable: deps.service as string,
    canary: canaryNameOf(deps.service as string),
    namespace: deps.api.namespace,
  };
  const httpOf = (o: KubeObject): HttpRoute[] => (o.spec?.http ?? []) as HttpRoute[];
  const missing = (): TaskError =>
    new TaskError(
      `VirtualService ${name} does not exist in namespace ${deps.api.namespace}.`,
      'Check the route input, or create the VirtualService for the stable Service first.',
    );
  const plan = (current: KubeObject | undefined, weight: number | undefined): HttpRoute[] => {
    if (!current) throw missing();
    const next = virtualServiceHttp(httpOf(current), names, weight);
    if ('error' in next) throw new TaskError(`VirtualService ${name}: ${next.error}.`);
    if (!next.matched)
      throw new TaskError(
        `VirtualService ${name} has no http route to ${names.stable}.`,
        'Add an http route whose destination is the stable Service.',
      );
    return next.http;
  };

  const write = async (weight: number | undefined): Promise<void> => {
    await converge(
      deps.api,
      'VirtualService',
      name,
      (current) => {
        const isHost = (host: string, service: string): boolean => hostIs(host, service, names.namespace);
        const header = weight === undefined ? undefined : deps.header;
        const http = virtualServiceHeaderHttp(plan(current, weight), names, isHost, header);
        if (JSON.stringify(http) === JSON.stringify(httpOf(current!))) return undefined;
        const annotations = { ...deps.annotations, [WEIGHT_ANNOTATION]: weight === undefined ? null : String(weight) };
        // A custom resource: merge patch; spec.http is a list, so it is sent whole.
        return { op: 'patch', type: 'merge', body: { metadata: { annotations }, spec: { http } } };
      },
      { signal: deps.signal, log: deps.log },
    );
  };

  return {
    kind: 'istio',
    usesCanaryService: true,
    async verify() {
      plan(await deps.api.get('VirtualService', name), 0);
    },
    async currentWeight() {
      const current = await deps.api.get('VirtualService', name);
      return current ? virtualServiceWeight(httpOf(current), names) : 0;
    },
    async setWeight(weight) {
      await write(weight);
      return weight;
    },
    async reset() {
      // No route, no traffic through it: nothing to take back (an abort must still remove the canary).
      if (!(await deps.api.get('VirtualService', name))) {
        deps.log(`VirtualService ${name} does not exist: no traffic to return to stable.`);
        return;
      }
      await write(undefined);
    },
  };
}
