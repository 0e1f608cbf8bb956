import { TaskError } from '../../common/errors';
import { sleep } from '../../common/sleep';
import { KubeObject } from '../../common/kube/types';
import { KubeApi } from './kinds';

export type RolloutState =
  { kind: 'done' } | { kind: 'waiting'; message: string } | { kind: 'failed'; message: string };

/** The rules `kubectl rollout status` applies to a Deployment, as a pure function of the object. */
export function rolloutState(d: KubeObject): RolloutState {
  const name = d.metadata.name;
  const status = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0))
    return { kind: 'waiting', message: `waiting for the ${name} spec update to be observed` };
  const progressing = ((status.conditions ?? []) as { type: string; reason?: string; message?: string }[]).find(
    (c) => c.type === 'Progressing',
  );
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      kind: 'failed',
      message: `Deployment ${name} exceeded its progress deadline (${d.spec?.progressDeadlineSeconds ?? 600} s): ${progressing.message ?? 'pods did not become ready'}`,
    };
  const want = Number(d.spec?.replicas ?? 1);
  const updated = Number(status.updatedReplicas ?? 0);
  const replicas = Number(status.replicas ?? 0);
  const available = Number(status.availableReplicas ?? 0);
  if (updated < want) return { kind: 'waiting', message: `${updated} of ${want} new replicas of ${name} updated` };
  if (replicas > updated)
    return { kind: 'waiting', message: `${replicas - updated} old replicas of ${name} pending termination` };
  if (available < updated)
    return { kind: 'waiting', message: `${available} of ${updated} updated replicas of ${name} available` };
  return { kind: 'done' };
}

export interface WaitOptions {
  signal: AbortSignal;
  log: (message: string) => void;
  /** First poll delay; grows ×1.5 up to maxPollMs (the API server is not hammered during long rollouts). */
  pollMs?: number;
  maxPollMs?: number;
}

/** Polls until the Deployment is available; fails fast on ProgressDeadlineExceeded; the signal bounds the wait. */
export async function waitAvailable(api: KubeApi, name: string, opts: WaitOptions): Promise<KubeObject> {
  let delay = opts.pollMs ?? 200;
  let last = '';
  for (;;) {
    const d = await api.get('Deployment', name);
    if (!d) throw new TaskError(`Deployment ${name} disappeared while waiting for it to become available.`);
    const state = rolloutState(d);
    if (state.kind === 'done') return d;
    if (state.kind === 'failed')
      throw new TaskError(
        `${state.message}.`,
        "Check the pods' events (image pull, readiness probe, resources) with kubectl describe.",
      );
    if (state.message !== last) opts.log(`Waiting: ${state.message}.`);
    last = state.message;
    await sleep(delay, opts.signal);
    delay = Math.min(opts.maxPollMs ?? 2000, Math.round(delay * 1.5));
  }
}
