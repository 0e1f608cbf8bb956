import { errorMessage } from '../common/errors';
import { TaskContext } from '../common/runner';
import { FluxGuard, fluxGuard, fluxOwners } from './kube/flux';
import { GuardApi } from './kube/guard-kinds';
import { Kind, KubeApi } from './kube/kinds';
import { canaryLease, holderOf } from './kube/lease';
import { CanaryShiftOptions } from './options';

/** A canary left paused (until a later promote or abort) keeps its Deployment locked this long at most. */
export const PAUSED_HOLD_SECONDS = 24 * 3600;

const ROUTE_KIND: Record<CanaryShiftOptions['router'], Kind | undefined> = {
  gatewayApi: 'HTTPRoute',
  istio: 'VirtualService',
  nginx: 'Ingress',
  pod: undefined,
};

export interface RunGuards {
  /** After the action: a paused canary keeps the lock and Flux suspended; anything else resumes and releases. */
  end(outcome: 'promoted' | 'aborted' | 'paused' | 'none'): Promise<void>;
}

/**
 * Before the first write: the Lease (a second run on this Deployment fails here, naming the holder), then
 * Flux: the owners of the Deployment, Service and route are named (warn) or suspended (suspend).
 */
export async function startGuards(
  ctx: TaskContext,
  o: CanaryShiftOptions,
  api: KubeApi,
  apiFor: (namespace: string) => GuardApi,
): Promise<RunGuards> {
  const info = (m: string): void => ctx.host.info(ctx.secrets.redact(m));
  const warn = (m: string): void => ctx.host.warn(ctx.secrets.redact(m));
  const me = holderOf(ctx.run);
  const lease = canaryLease(apiFor(o.namespace), o.deployment, me, info);
  // The run cannot outlast its timeout; the margin covers the clean-up after it.
  await lease.acquire(o.rolloutTimeoutSeconds + 60);
  let flux: FluxGuard | undefined;
  try {
    const routeKind = ROUTE_KIND[o.router];
    const objects = await Promise.all([
      api.get('Deployment', o.deployment),
      o.service ? api.get('Service', o.service) : undefined,
      routeKind && o.route ? api.get(routeKind, o.route) : undefined,
    ]);
    const found = objects.filter((x) => x !== undefined);
    const kinds = ['Deployment', 'Service', routeKind];
    found.forEach((x) => (x.kind ??= kinds[objects.indexOf(x)]));
    const owners = fluxOwners(found);
    if (owners.length) {
      flux = fluxGuard(owners, o.fluxReconciliation, apiFor, me.description, { info, warn });
      await flux.before();
    }
  } catch (err) {
    await lease.release().catch(() => undefined);
    throw err;
  }
  return {
    async end(outcome) {
      try {
        if (outcome === 'paused') {
          await lease.extend(PAUSED_HOLD_SECONDS);
          if (flux?.owners.length && o.fluxReconciliation === 'suspend')
            info('The canary stays in place: Flux stays suspended until the promote or abort action.');
          return;
        }
        await flux?.resume();
        await lease.release();
      } catch (err) {
        warn(
          `Could not ${outcome === 'paused' ? 'extend' : 'release'} the canary's lock or resume Flux: ${errorMessage(err)}. A later promote or abort of this rollout does it; the lock expires on its own.`,
        );
      }
    },
  };
}
