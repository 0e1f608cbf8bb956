import { TaskError } from '../../common/errors';
import { KubeObject } from '../../common/kube/types';
import { GuardApi, GuardKind } from './guard-kinds';

/**
 * Flux labels every object it applies with its owner (fluxcd/kustomize-controller and helm-controller:
 * kustomize.toolkit.fluxcd.io/name + /namespace, helm.toolkit.fluxcd.io/name + /namespace) and reverts any
 * drift at its next reconciliation: CanaryShift's route weights and promotion would be undone. Suspending the
 * owner (spec.suspend: true, what `flux suspend` writes) stops that for the canary's lifetime.
 */
export type FluxMode = 'warn' | 'suspend';

export interface FluxOwner {
  kind: Extract<GuardKind, 'Kustomization' | 'HelmRelease'>;
  name: string;
  namespace: string;
  /** The objects of the rollout it owns, e.g. "Deployment web". */
  owns: string[];
}

/** Marks an owner suspended by CanaryShift: a later promote or abort resumes it, someone else's suspension stays. */
export const SUSPENDED_BY = 'canaryshift.multicloud-devsecops.io/suspended-by';

const LABELS: [FluxOwner['kind'], string][] = [
  ['Kustomization', 'kustomize.toolkit.fluxcd.io'],
  ['HelmRelease', 'helm.toolkit.fluxcd.io'],
];

/** The Flux objects owning any of the given objects, from their labels (pure; table-tested). */
export function fluxOwners(objects: KubeObject[]): FluxOwner[] {
  const out: FluxOwner[] = [];
  for (const obj of objects) {
    const labels = obj.metadata.labels ?? {};
    for (const [kind, prefix] of LABELS) {
      const name = labels[`${prefix}/name`];
      if (!name) continue;
      // A HelmRelease's objects may lack the namespace label (helm-controller before 2.x): its own namespace then.
      const namespace = labels[`${prefix}/namespace`] ?? obj.metadata.namespace ?? 'flux-system';
      const what = `${obj.kind ?? 'object'} ${obj.metadata.name}`;
      const known = out.find((o) => o.kind === kind && o.name === name && o.namespace === namespace);
      if (known) known.owns.push(what);
      else out.push({ kind, name, namespace, owns: [what] });
    }
  }
  return out;
}

const describe = (o: FluxOwner): string => `Flux ${o.kind} ${o.namespace}/${o.name} (owns ${o.owns.join(', ')})`;
const cli = (o: FluxOwner, verb: string): string =>
  `flux ${verb} ${o.kind === 'Kustomization' ? 'kustomization' : 'helmrelease'} ${o.name} -n ${o.namespace}`;

export interface FluxGuard {
  readonly owners: FluxOwner[];
  /** warn: names the owners; suspend: suspends them (marked as ours). */
  before(): Promise<void>;
  /** Resumes every owner CanaryShift suspended (this run or an earlier run of this rollout). */
  resume(): Promise<void>;
}

export function fluxGuard(
  owners: FluxOwner[],
  mode: FluxMode,
  apiFor: (namespace: string) => GuardApi,
  runId: string,
  log: { info: (m: string) => void; warn: (m: string) => void },
): FluxGuard {
  const patch = (o: FluxOwner, suspend: boolean): Promise<KubeObject> =>
    // A JSON merge patch: custom resources take no strategic merge patch.
    apiFor(o.namespace).patch(
      o.kind,
      o.name,
      { metadata: { annotations: { [SUSPENDED_BY]: suspend ? runId : null } }, spec: { suspend } },
      'merge',
    );
  return {
    owners,
    async before() {
      for (const o of owners) {
        if (mode === 'warn') {
          log.warn(
            `${describe(o)} reconciles these objects and will revert CanaryShift's changes (route weights, promotion) at its next sync. Set fluxReconciliation: suspend, or run \`${cli(o, 'suspend')}\` for the rollout and \`${cli(o, 'resume')}\` after.`,
          );
          continue;
        }
        const current = await apiFor(o.namespace).get(o.kind, o.name);
        if (!current) {
          log.warn(`${describe(o)} does not exist (the labels name it): nothing to suspend.`);
          continue;
        }
        const ours = current.metadata.annotations?.[SUSPENDED_BY];
        if (current.spec?.suspend === true && !ours) {
          log.info(`${describe(o)} is already suspended (not by CanaryShift): it stays suspended after the rollout.`);
          continue;
        }
        if (current.spec?.suspend === true) {
          log.info(`${describe(o)} is still suspended for this rollout (since ${ours}).`);
          continue;
        }
        await patch(o, true).catch((err: unknown) => {
          throw new TaskError(
            `Cannot suspend ${describe(o)}: ${(err as Error).message}. Nothing was changed.`,
            `Grant the connection's identity patch on ${o.kind.toLowerCase()}s in namespace ${o.namespace}, or set fluxReconciliation: warn and suspend it yourself (${cli(o, 'suspend')}).`,
          );
        });
        log.info(`Suspended ${describe(o)} for the rollout; it is resumed after promote or abort.`);
      }
    },
    async resume() {
      for (const o of owners) {
        const current = await apiFor(o.namespace).get(o.kind, o.name);
        if (!current?.metadata.annotations?.[SUSPENDED_BY]) continue;
        await patch(o, false);
        log.info(`Resumed ${describe(o)}: Flux reconciles it again.`);
      }
    },
  };
}
