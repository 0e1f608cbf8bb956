import { converge } from '../../common/kube/converge';
import { KubeError } from '../../common/kube/errors';
import { KubeObject } from '../../common/kube/types';
import { canaryHpa, scalesDeployment } from '../plan/hpa';
import { HpaBounds, canaryHpaBounds } from '../plan/replicas';
import { KubeApi } from './kinds';

interface HpaDeps {
  api: KubeApi;
  annotations: Record<string, string>;
  log: (m: string) => void;
  signal: AbortSignal;
}

/**
 * When the stable Deployment has an HPA, the canary (or preview) gets one made from it, with the bounds of its
 * share of the traffic, and loses it when it goes: the new pods then scale under load like the old ones.
 */
export class HpaFollower {
  private cached?: { hpa?: KubeObject };

  constructor(
    private readonly d: HpaDeps,
    private readonly stable: string,
    private readonly target: { name: string; role: 'canary' | 'preview' },
    private readonly maxReplicas: number,
  ) {}

  /** The stable's HPA (named after the Deployment, aimed at it), or undefined; read once per task run. */
  async stableHpa(): Promise<KubeObject | undefined> {
    if (!this.cached) {
      let hpa: KubeObject | undefined;
      try {
        hpa = await this.d.api.get('HorizontalPodAutoscaler', this.stable);
      } catch (err) {
        // A cluster without autoscaling/v2 (before 1.23) has no HPA we could copy.
        if (!(err instanceof KubeError && err.code === 404)) throw err;
      }
      this.cached = { hpa: scalesDeployment(hpa, this.stable) ? hpa : undefined };
    }
    return this.cached.hpa;
  }

  /** The bounds at a weight (undefined without a stable HPA). */
  async bounds(weight: number): Promise<HpaBounds | undefined> {
    const hpa = await this.stableHpa();
    return hpa ? canaryHpaBounds(hpa.spec, weight, this.maxReplicas) : undefined;
  }

  async follow(weight: number): Promise<void> {
    const hpa = await this.stableHpa();
    if (!hpa) return;
    const want = canaryHpa(hpa, this.target, canaryHpaBounds(hpa.spec, weight, this.maxReplicas), this.d.annotations);
    const result = await converge(
      this.d.api,
      'HorizontalPodAutoscaler',
      this.target.name,
      (current) => {
        if (!current) return { op: 'create', object: want };
        const same = JSON.stringify(current.spec) === JSON.stringify(want.spec);
        return same ? undefined : { op: 'patch', type: 'merge', body: { spec: want.spec } };
      },
      { signal: this.d.signal, log: this.d.log },
    );
    if (result.changed)
      this.d.log(
        `HPA ${this.target.name}: ${want.spec.minReplicas}-${want.spec.maxReplicas} replicas (from ${hpa.metadata.name}'s ${hpa.spec.minReplicas ?? 1}-${hpa.spec.maxReplicas}).`,
      );
  }

  async remove(): Promise<void> {
    // Only ours: a stable HPA that happens to carry the target's name is never touched.
    const current = await this.d.api.get('HorizontalPodAutoscaler', this.target.name).catch(() => undefined);
    if (current?.metadata.labels?.['multicloud-devsecops.io/role'] !== this.target.role) return;
    if (await this.d.api.remove('HorizontalPodAutoscaler', this.target.name))
      this.d.log(`Deleted HPA ${this.target.name}.`);
  }
}
