import { TaskError } from '../../common/errors';
import { converge } from '../../common/kube/converge';
import { KubeObject } from '../../common/kube/types';
import { WEIGHT_ANNOTATION, canaryNameOf } from '../plan/canary-spec';
import { awaitRouteAccepted } from './route-status';
import { httpRouteHeaderRules } from '../plan/header-route';
import { RouterDeps, TrafficRouter } from './router';

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  [k: string]: unknown;
}
interface Rule {
  backendRefs?: BackendRef[];
  [k: string]: unknown;
}

const isService = (ref: BackendRef, name: string, namespace: string): boolean =>
  (ref.kind ?? 'Service') === 'Service' &&
  (ref.group ?? '') === '' &&
  ref.name === name &&
  (!ref.namespace || ref.namespace === namespace);

/**
 * New HTTPRoute rules: in every rule that sends traffic to the stable Service, the stable backendRef
 * gets 100-w and a canary backendRef (same port and filters, the canary Service) gets w.
 * `weight` undefined removes the canary backendRef and the stable weight (back to the route's original shape).
 */
export function httpRouteRules(
  rules: Rule[],
  names: { stable: string; canary: string; namespace: string },
  weight: number | undefined,
): { rules: Rule[]; matched: number } | { error: string } {
  let matched = 0;
  const out: Rule[] = [];
  for (const [i, rule] of rules.entries()) {
    const refs = rule.backendRefs ?? [];
    const stable = refs.find((r) => isService(r, names.stable, names.namespace));
    if (!stable) {
      out.push(rule);
      continue;
    }
    const others = refs.filter(
      (r) => !isService(r, names.stable, names.namespace) && !isService(r, names.canary, names.namespace),
    );
    if (others.length)
      return {
        error: `rule ${i + 1} also sends traffic to ${others.map((o) => o.name).join(', ')}; the canary split needs rules whose only backend is Service ${names.stable}`,
      };
    matched++;
    if (weight === undefined && !refs.some((r) => isService(r, names.canary, names.namespace))) {
      // Never split (or already reset): the user's rule stays exactly as written.
      out.push(rule);
      continue;
    }
    const { weight: _w, ...base } = stable;
    const backendRefs: BackendRef[] =
      weight === undefined
        ? [base]
        : [
            { ...base, weight: 100 - weight },
            { ...base, name: names.canary, weight },
          ];
    out.push({ ...rule, backendRefs });
  }
  return { rules: out, matched };
}

/** The canary's share in the first rule that splits traffic; 0 when no rule references the canary. */
export function httpRouteWeight(rules: Rule[], names: { stable: string; canary: string; namespace: string }): number {
  for (const rule of rules) {
    const refs = rule.backendRefs ?? [];
    const canary = refs.find((r) => isService(r, names.canary, names.namespace));
    const stable = refs.find((r) => isService(r, names.stable, names.namespace));
    if (canary && stable) {
      const c = canary.weight ?? 1;
      const total = c + (stable.weight ?? 1);
      return total > 0 ? Math.round((100 * c) / total) : 0;
    }
  }
  return 0;
}

export function gatewayApiRouter(deps: RouterDeps): TrafficRouter {
  const route = deps.route as string;
  const names = {
    stable: deps.service as string,
    canary: canaryNameOf(deps.service as string),
    namespace: deps.api.namespace,
  };
  const rulesOf = (o: KubeObject): Rule[] => (o.spec?.rules ?? []) as Rule[];
  const missing = (): TaskError =>
    new TaskError(
      `HTTPRoute ${route} does not exist in namespace ${deps.api.namespace}.`,
      'Check the route input, or create the HTTPRoute in front of the stable Service first.',
    );

  const write = async (weight: number | undefined): Promise<void> => {
    const result = await converge(
      deps.api,
      'HTTPRoute',
      route,
      (current) => {
        if (!current) throw missing();
        const next = httpRouteRules(rulesOf(current), names, weight);
        if ('error' in next) throw new TaskError(`HTTPRoute ${route}: ${next.error}.`);
        if (!next.matched)
          throw new TaskError(
            `HTTPRoute ${route} has no backendRef to Service ${names.stable}.`,
            'Point a rule of the route at the stable Service.',
          );
        // The header rule lives from the first weight write to the reset (promote, abort).
        const rules = httpRouteHeaderRules(next.rules, names, weight === undefined ? undefined : deps.header);
        if (JSON.stringify(rules) === JSON.stringify(rulesOf(current))) return undefined;
        const annotations = { ...deps.annotations, [WEIGHT_ANNOTATION]: weight === undefined ? null : String(weight) };
        // HTTPRoute is a custom resource: merge patch (lists are replaced whole, so rules are sent complete).
        return { op: 'patch', type: 'merge', body: { metadata: { annotations }, spec: { rules } } };
      },
      { signal: deps.signal, log: deps.log },
    );
    // A reset (abort, promote) goes on regardless: taking traffic back must not wait on the Gateway.
    if (result.changed && weight !== undefined)
      await awaitRouteAccepted(deps.api, route, { signal: deps.signal, log: deps.log });
  };

  return {
    kind: 'gatewayApi',
    usesCanaryService: true,
    async verify() {
      const current = await deps.api.get('HTTPRoute', route);
      if (!current) throw missing();
      const check = httpRouteRules(rulesOf(current), names, 0);
      if ('error' in check) throw new TaskError(`HTTPRoute ${route}: ${check.error}.`);
      if (!check.matched)
        throw new TaskError(
          `HTTPRoute ${route} has no backendRef to Service ${names.stable}.`,
          'Point a rule of the route at the stable Service.',
        );
    },
    async currentWeight() {
      const current = await deps.api.get('HTTPRoute', route);
      return current ? httpRouteWeight(rulesOf(current), names) : 0;
    },
    async setWeight(weight) {
      await write(weight);
      return weight;
    },
    async reset() {
      // No route, no traffic through it: nothing to take back (an abort must still remove the canary).
      if (!(await deps.api.get('HTTPRoute', route))) {
        deps.log(`HTTPRoute ${route} does not exist: no traffic to return to stable.`);
        return;
      }
      await write(undefined);
    },
  };
}
