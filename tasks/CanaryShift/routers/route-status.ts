import { TaskError } from '../../common/errors';
import { sleep } from '../../common/sleep';
import { KubeObject } from '../../common/kube/types';
import { KubeApi } from '../kube/kinds';

export type RouteVerdict =
  { kind: 'unmanaged' } | { kind: 'pending' } | { kind: 'ok' } | { kind: 'rejected'; message: string };

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/**
 * What the Gateway API implementation says about the route's current generation: each parent
 * Gateway reports Accepted and ResolvedRefs conditions (a canary backendRef to a missing Service or
 * one not permitted shows up as ResolvedRefs=False). A route nobody reports on is "unmanaged".
 */
export function routeVerdict(route: KubeObject): RouteVerdict {
  const parents = (route.status?.parents ?? []) as { parentRef?: { name?: string }; conditions?: Condition[] }[];
  if (!parents.length) return { kind: 'unmanaged' };
  const generation = route.metadata.generation ?? 0;
  if (parents.some((p) => (p.conditions ?? []).some((c) => (c.observedGeneration ?? 0) < generation)))
    return { kind: 'pending' };
  for (const p of parents) {
    const bad = (p.conditions ?? []).find(
      (c) => (c.type === 'Accepted' || c.type === 'ResolvedRefs') && c.status === 'False',
    );
    if (bad)
      return {
        kind: 'rejected',
        message:
          `Gateway ${p.parentRef?.name ?? '?'} reports ${bad.type}=False (${bad.reason ?? 'no reason'}): ${bad.message ?? ''}`.trim(),
      };
  }
  return { kind: 'ok' };
}

/**
 * After a weight change, waits (briefly: a Gateway controller answers in seconds) until the route's
 * new generation is accepted, and fails if the Gateway rejects it, so traffic is not sent to a
 * backend the data plane cannot reach. A controller that stays silent only earns a warning.
 */
export async function awaitRouteAccepted(
  api: KubeApi,
  name: string,
  opts: { signal: AbortSignal; log: (m: string) => void; maxWaitMs?: number },
): Promise<void> {
  const until = Date.now() + (opts.maxWaitMs ?? 10_000);
  let delay = 100;
  for (;;) {
    const route = await api.get('HTTPRoute', name);
    if (!route) return;
    const verdict = routeVerdict(route);
    if (verdict.kind === 'unmanaged' || verdict.kind === 'ok') return;
    if (verdict.kind === 'rejected')
      throw new TaskError(
        `HTTPRoute ${name}: ${verdict.message}.`,
        'Check that the canary Service exists and that the Gateway may reference it (ReferenceGrant).',
      );
    if (Date.now() >= until) {
      opts.log(
        `Warning: no Gateway reported on HTTPRoute ${name} generation ${route.metadata.generation} within ${Math.round((opts.maxWaitMs ?? 10_000) / 1000)} s; continuing.`,
      );
      return;
    }
    await sleep(delay, opts.signal);
    delay = Math.min(1000, delay * 2);
  }
}
