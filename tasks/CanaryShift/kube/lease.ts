import { createHash } from 'node:crypto';
import { TaskError } from '../../common/errors';
import { RunInfo } from '../../common/host';
import { KubeError } from '../../common/kube/errors';
import { KubeObject } from '../../common/kube/types';
import { GuardApi } from './guard-kinds';

/**
 * One coordination.k8s.io/v1 Lease per canary Deployment (the API leader election uses: holderIdentity,
 * leaseDurationSeconds, acquireTime, renewTime, leaseTransitions; k8s.io/api/coordination/v1/types.go), so two
 * CanaryShift runs cannot interleave their writes on one Deployment. The holder is a pipeline run: its later
 * stages (promote or abort after a pause) and re-run jobs hold it too.
 */
export const LEASE_PREFIX = 'canaryshift.multicloud-devsecops.io';

export interface Holder {
  /** Stable for one pipeline run: collection, project and build id. */
  identity: string;
  /** For people: pipeline, run number, build id, stage, job. */
  description: string;
}

export function holderOf(run: RunInfo): Holder {
  const identity = `azure-pipelines:${run.collectionUri ?? ''}${run.project ?? ''}/builds/${run.buildId ?? 'local'}`;
  const parts = [
    `pipeline ${run.pipeline ?? '(unknown)'} run ${run.buildNumber ?? '?'} (build ${run.buildId ?? '?'})`,
    run.stage ? `stage ${run.stage}` : '',
    run.job ? `job ${run.job}` : '',
  ].filter(Boolean);
  return { identity, description: parts.join(', ') };
}

/** <deployment>-canary-lock, shortened with a hash when that would pass the 253 characters of a name. */
export function leaseName(deployment: string): string {
  const name = `${deployment}-canary-lock`;
  if (name.length <= 253) return name;
  const hash = createHash('sha256').update(deployment).digest('hex').slice(0, 8);
  return `${deployment.slice(0, 253 - 21).replace(/[-.]+$/, '')}-${hash}-canary-lock`;
}

/** Microsecond time as the API writes MicroTime (RFC 3339 with six fractional digits). */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export type LeaseDecision =
  | { op: 'create' }
  | { op: 'renew' }
  | { op: 'takeOver'; previous: string; expiredAt: string }
  | { op: 'refuse'; holder: string; expiresAt: string };

/** What to do with the Lease as found (pure; table-tested). An expired or emptied Lease is free. */
export function leaseDecision(lease: KubeObject | undefined, me: Holder, now: number): LeaseDecision {
  if (!lease) return { op: 'create' };
  const spec = lease.spec ?? {};
  const holder = String(spec.holderIdentity ?? '');
  if (holder === me.identity) return { op: 'renew' };
  const description = lease.metadata.annotations?.[`${LEASE_PREFIX}/holder`] ?? holder;
  const renewed = Date.parse(String(spec.renewTime ?? spec.acquireTime ?? ''));
  const expires = (Number.isNaN(renewed) ? 0 : renewed) + Number(spec.leaseDurationSeconds ?? 0) * 1000;
  if (!holder || expires <= now)
    return { op: 'takeOver', previous: description || '(nobody)', expiredAt: new Date(expires).toISOString() };
  return { op: 'refuse', holder: description, expiresAt: new Date(expires).toISOString() };
}

export interface CanaryLease {
  /** Takes the Lease for `seconds`, or fails naming the run that holds it. */
  acquire(seconds: number): Promise<void>;
  /** Keeps the Lease `seconds` longer (a canary left paused until a later promote or abort). */
  extend(seconds: number): Promise<void>;
  /** Deletes the Lease this run holds. */
  release(): Promise<void>;
}

export function canaryLease(
  api: GuardApi,
  deployment: string,
  me: Holder,
  log: (m: string) => void,
  now: () => number = Date.now,
): CanaryLease {
  const name = leaseName(deployment);
  const body = (seconds: number, current?: KubeObject, takeOver = false): KubeObject => {
    const t = microTime(now());
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        // A precondition: a concurrent taker makes this write fail with 409 instead of both winning.
        ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
        labels: { 'app.kubernetes.io/managed-by': 'CanaryShift' },
        annotations: { [`${LEASE_PREFIX}/holder`]: me.description, [`${LEASE_PREFIX}/deployment`]: deployment },
      },
      spec: {
        holderIdentity: me.identity,
        leaseDurationSeconds: seconds,
        renewTime: t,
        ...(!current || takeOver ? { acquireTime: t } : {}),
        ...(takeOver ? { leaseTransitions: Number(current?.spec?.leaseTransitions ?? 0) + 1 } : {}),
      },
    };
  };
  const refuse = (holder: string, expiresAt: string): never => {
    throw new TaskError(
      `Deployment ${deployment} is locked by another CanaryShift run: ${holder} holds Lease ${name} until ${expiresAt}. Nothing was changed.`,
      'Let that run finish (a canary it left paused is released by its promote or abort), or run again after it; a lease left by a crashed run expires and is then taken over.',
    );
  };
  /**
   * Read, decide, write; a failed write (409 from a concurrent taker, or an answer lost after the write may have
   * landed: creates are never repeated blindly) reads again, and finds either our own Lease or the other holder.
   */
  async function attempt(seconds: number, createFirst: boolean): Promise<void> {
    for (let round = 1; ; round++) {
      // A run mostly finds no Lease: it creates without reading first (an existing one answers 409).
      const current = round === 1 && createFirst ? undefined : await api.get('Lease', name);
      const d = leaseDecision(current, me, now());
      if (d.op === 'refuse') refuse(d.holder, d.expiresAt);
      try {
        if (d.op === 'create') await api.create('Lease', body(seconds));
        else await api.patch('Lease', name, body(seconds, current, d.op === 'takeOver'), 'merge');
      } catch (err) {
        const conflict = err instanceof KubeError && (err.code === 409 || err.code >= 500);
        if (round < 4 && (conflict || !(err instanceof KubeError))) continue;
        throw err;
      }
      if (d.op === 'takeOver')
        log(
          `Took over Lease ${name} from ${d.previous}: it expired at ${d.expiredAt} (a run that ended without releasing it).`,
        );
      else log(`Lease ${name} held by this run for ${seconds} s: no other CanaryShift run can change ${deployment}.`);
      return;
    }
  }
  return {
    acquire: (seconds) => attempt(seconds, true),
    extend: (seconds) => attempt(seconds, false),
    // Held since acquire: the run cannot outlast the Lease (rolloutTimeoutSeconds + 60 s), so no one took it over.
    async release() {
      if (await api.remove('Lease', name)) log(`Released Lease ${name}.`);
    },
  };
}
