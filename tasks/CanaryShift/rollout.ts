import { TaskError } from '../common/errors';
import { AnalysisResult } from './analysis/analysis';
import { waitAvailable } from './kube/availability';
import { converge } from '../common/kube/converge';
import { KubeObject } from '../common/kube/types';
import { KubeApi } from './kube/kinds';
import { CanaryShiftOptions } from './options';
import { canaryReplicasFor, stableReplicaCount } from './plan/replicas';
import { HpaFollower } from './kube/hpa';
import {
  CANARY_IMAGE,
  COMPLETED_STEP,
  PREFIX,
  SPEC_HASH,
  hashOf,
  canaryDeployment,
  canaryNameOf,
  canaryService,
  canaryUpdate,
  imageText,
  promotePatch,
} from './plan/canary-spec';
import { TrafficRouter } from './routers';

/** One line of the ledger record: what was done, when, at which weight. */
export interface StepRecord {
  step?: number;
  kind: 'deploy' | 'weight' | 'pause' | 'analysis' | 'promote' | 'abort' | 'dry-run' | 'switch';
  at: string;
  weight?: number;
  requestedWeight?: number;
  durationMs?: number;
  changed?: boolean;
  analysis?: AnalysisResult;
  /** The canary's replicas after a weight change (they follow the weight). */
  replicas?: number;
  note?: string;
}

export interface RolloutDeps {
  api: KubeApi;
  options: CanaryShiftOptions;
  router: TrafficRouter;
  annotations: Record<string, string>;
  log: (message: string) => void;
  /** Bounds waits, pauses and analyses: it fires before the task's deadline, leaving time to abort. */
  signal: AbortSignal;
  /** The task's own signal (cancel, hard deadline): bounds the clean-up writes of promote and abort. */
  cleanupSignal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  /** One analysis step: `metrics` names the metrics to run (none: all). */
  analyse: (metrics?: string[]) => Promise<AnalysisResult>;
  pollMs?: number;
}

/** An analysis that failed: the run aborts (autoAbort) and the task fails with the reason. */
export class AnalysisFailedError extends TaskError {
  constructor(
    readonly result: AnalysisResult,
    step: number,
  ) {
    super(`Analysis at step ${step} failed: ${result.reason}.`);
    this.name = 'AnalysisFailedError';
  }
}

/** The canary life cycle on one stable Deployment; every method converges, so re-running any of them is safe. */
export class CanaryRollout {
  readonly steps: StepRecord[] = [];
  weight = 0;
  /** True once the stable Deployment has been changed: from then on an abort would not help. */
  promoting = false;
  /** Whether the last deploy created or changed the canary (a new revision starts the steps afresh). */
  private deployChanged = true;
  private readonly o: CanaryShiftOptions;
  readonly canary: string;

  /** The canary's HPA, made from the stable's (none for the pod router, which sizes by ratio itself). */
  private readonly hpa: HpaFollower;

  constructor(private readonly d: RolloutDeps) {
    this.o = d.options;
    this.canary = canaryNameOf(d.options.deployment);
    const target = { name: this.canary, role: 'canary' as const };
    this.hpa = new HpaFollower(d, d.options.deployment, target, d.options.maxCanaryReplicas);
  }

  private note(step: StepRecord): void {
    this.steps.push(step);
  }

  private async stable(): Promise<KubeObject> {
    const stable = await this.d.api.get('Deployment', this.o.deployment);
    if (!stable)
      throw new TaskError(
        `Deployment ${this.o.deployment} does not exist in namespace ${this.o.namespace}.`,
        'Check the deployment and namespace inputs: the stable Deployment must exist before a canary.',
      );
    return stable;
  }

  /** Label keys the stable Service and Deployment select on: canary pods get other values for them (two-Service routers). */
  private async isolateKeys(stable: KubeObject): Promise<string[]> {
    if (!this.d.router.usesCanaryService) return [];
    const service = await this.d.api.get('Service', this.o.service as string);
    if (!service)
      throw new TaskError(
        `Service ${this.o.service} does not exist in namespace ${this.o.namespace}.`,
        'Check the service input: it names the Service in front of the stable pods.',
      );
    return [
      ...new Set([
        ...Object.keys(service.spec?.selector ?? {}),
        ...Object.keys(stable.spec?.selector?.matchLabels ?? {}),
      ]),
    ];
  }

  currentWeight(): Promise<number> {
    return this.d.router.currentWeight();
  }

  waitCanary(): Promise<KubeObject> {
    return waitAvailable(this.d.api, this.canary, { signal: this.d.signal, log: this.d.log, pollMs: this.d.pollMs });
  }

  /** Creates or updates the canary Deployment (and canary Service), then waits until it is available. */
  async deploy(): Promise<void> {
    const image = this.o.image;
    if (!image && !this.o.release.canaryPatch)
      throw new TaskError('The image input (or canaryPatch) is required to deploy a canary.');
    const started = Date.now();
    await this.d.router.verify();
    await this.stable();
    // A canary is judged against a healthy stable, and an abort must have a healthy stable to return to.
    const stable = await waitAvailable(this.d.api, this.o.deployment, {
      signal: this.d.signal,
      log: this.d.log,
      pollMs: this.d.pollMs,
    });
    const isolate = await this.isolateKeys(stable);
    let desired: KubeObject;
    try {
      const replicas = await this.sizeFor(stable, await this.d.router.currentWeight());
      desired = canaryDeployment({
        stable,
        image,
        patch: this.o.release.canaryPatch,
        replicas,
        isolate,
        annotations: this.d.annotations,
        container: this.o.container,
      });
    } catch (err) {
      throw new TaskError(
        `Cannot derive the canary from Deployment ${this.o.deployment}: ${(err as Error).message}.`,
        'Use an image from the same repository as the container to replace.',
      );
    }
    if (this.d.router.usesCanaryService) {
      const svc = await this.d.api.get('Service', this.o.service as string);
      const want = canaryService(svc!, isolate, this.d.annotations);
      await converge(
        this.d.api,
        'Service',
        want.metadata.name,
        (current) => {
          if (!current) return { op: 'create', object: want };
          if (current.metadata.annotations?.[SPEC_HASH] === want.metadata.annotations?.[SPEC_HASH]) return undefined;
          return {
            op: 'patch',
            type: 'merge',
            body: {
              metadata: { annotations: want.metadata.annotations },
              spec: { selector: want.spec.selector, ports: want.spec.ports },
            },
          };
        },
        { signal: this.d.signal, log: this.d.log },
      );
    }
    const existing = await this.d.api.get('Deployment', this.canary);
    if (existing && canaryUpdate(existing, desired) && (await this.d.router.currentWeight()) > 0) {
      // A new canary revision must not inherit the old one's traffic before it is available.
      this.d.log(`${this.canary} changes: its traffic goes back to 0% until the new revision is available.`);
      this.weight = await this.d.router.setWeight(0);
      this.note({
        kind: 'weight',
        at: new Date().toISOString(),
        requestedWeight: 0,
        weight: this.weight,
        note: 'new canary revision',
      });
    }
    const result = await converge(
      this.d.api,
      'Deployment',
      this.canary,
      (current) => {
        if (!current) return { op: 'create', object: desired };
        const ops = canaryUpdate(current, desired);
        return ops ? { op: 'patch', type: 'json', body: ops } : undefined;
      },
      { signal: this.d.signal, log: this.d.log },
    );
    this.d.log(
      result.changed
        ? `Deployed ${this.canary} with ${image ? imageText(image) : 'the patched pod template'} (${desired.spec.replicas} replica(s)).`
        : `${this.canary} already runs ${image ? imageText(image) : 'the patched pod template'}: nothing to change.`,
    );
    await this.waitCanary();
    this.weight = await this.d.router.currentWeight();
    if (this.d.router.kind !== 'pod') await this.hpa.follow(this.weight);
    this.deployChanged = result.changed;
    this.note({
      kind: 'deploy',
      at: new Date(started).toISOString(),
      weight: this.weight,
      changed: result.changed,
      durationMs: Date.now() - started,
    });
  }

  /** Sets the canary's traffic share once the canary is available. */
  async shift(weight: number, step?: number): Promise<void> {
    if (!(await this.d.api.get('Deployment', this.canary)))
      throw new TaskError(`The canary Deployment ${this.canary} does not exist.`, 'Run the deploy action first.');
    const at = new Date().toISOString();
    await this.waitCanary();
    if (weight >= 100 && this.d.router.kind === 'pod') {
      this.d.log('The pod router reaches 100% by promotion: the stable Deployment is not scaled down before promote.');
      this.note({
        step,
        kind: 'weight',
        at,
        requestedWeight: weight,
        weight: this.weight,
        note: 'reached by promotion',
      });
      return;
    }
    let replicas: number | undefined;
    if (this.d.router.kind !== 'pod') {
      // Pods first when the share grows, traffic first when it shrinks: the canary is never under-sized.
      // A growing share never shrinks the canary (it may have been deployed larger); a shrinking share sizes it down.
      const before = await this.canaryReplicas();
      const shrinking = weight < this.weight;
      const target = await this.sizeFor(await this.stable(), weight);
      replicas = shrinking ? target : Math.max(target, before);
      if (!shrinking) await this.hpa.follow(weight);
      if (replicas > before) await this.scaleCanary(replicas);
      this.weight = await this.d.router.setWeight(weight);
      if (shrinking) await this.hpa.follow(weight);
      if (replicas < before) await this.scaleCanary(replicas);
    } else this.weight = await this.d.router.setWeight(weight);
    this.d.log(
      `Canary weight ${this.weight}%${this.weight !== weight ? ` (${weight}% requested, rounded to whole pods)` : ''}${replicas ? ` with ${replicas} canary replica(s)` : ''}.`,
    );
    this.note({ step, kind: 'weight', at, requestedWeight: weight, weight: this.weight, replicas });
  }

  /** The canary's size for a weight: the stable's share (the pod router sizes by its own ratio instead). */
  private async sizeFor(stable: KubeObject, weight: number): Promise<number> {
    if (this.d.router.kind === 'pod') return this.o.canaryReplicas;
    // With an HPA the stable's live size counts (the HPA sets it), and the canary stays within its HPA's bounds.
    const bounds = await this.hpa.bounds(weight);
    const size = canaryReplicasFor(stableReplicaCount(stable, !!bounds), weight, this.o.maxCanaryReplicas);
    const floor = this.o.maxCanaryReplicas
      ? Math.min(this.o.canaryReplicas, this.o.maxCanaryReplicas)
      : this.o.canaryReplicas;
    const wanted = Math.max(size, floor);
    return bounds ? Math.min(bounds.maxReplicas, Math.max(bounds.minReplicas, wanted)) : wanted;
  }

  private async canaryReplicas(): Promise<number> {
    return Number((await this.d.api.get('Deployment', this.canary))?.spec?.replicas ?? 0);
  }

  private async scaleCanary(replicas: number): Promise<void> {
    const result = await converge(
      this.d.api,
      'Deployment',
      this.canary,
      (c) =>
        !c || c.spec?.replicas === replicas ? undefined : { op: 'patch', type: 'merge', body: { spec: { replicas } } },
      { signal: this.d.signal, log: this.d.log },
    );
    if (result.changed) {
      this.d.log(`Scaled ${this.canary} to ${replicas} replica(s).`);
      await this.waitCanary();
    }
  }

  /** True when the stable Deployment already runs the requested image and there is no canary: a finished rollout. */
  async alreadyPromoted(): Promise<boolean> {
    if ((!this.o.image && !this.o.release.canaryPatch) || (await this.d.api.get('Deployment', this.canary)))
      return false;
    const stable = await this.stable();
    try {
      // What a canary would run (image and canaryPatch applied) is what the stable already runs.
      const want = canaryDeployment({
        stable,
        image: this.o.image,
        patch: this.o.release.canaryPatch,
        replicas: 1,
        isolate: [],
        annotations: {},
        container: this.o.container,
      });
      return JSON.stringify(want.spec.template.spec) === JSON.stringify(stable.spec?.template?.spec);
    } catch {
      return false;
    }
  }

  /**
   * deploy, then walk the steps (weights, pauses, analyses), then promote; 'paused' when the steps reach a
   * pause without a duration (the canary stays at its weight until a later promote or abort).
   */
  async run(): Promise<'promoted' | 'paused'> {
    if (await this.alreadyPromoted()) {
      this.d.log(
        `${this.o.deployment} already runs ${this.o.image ? imageText(this.o.image) : 'the patched pod template'} and no canary exists: the rollout is complete.`,
      );
      this.note({ kind: 'promote', at: new Date().toISOString(), weight: 0, changed: false, note: 'already promoted' });
      return 'promoted';
    }
    await this.deploy();
    const start = await this.resumePoint();
    if (start) {
      this.d.log(`Resuming after step ${start}: the same canary and steps completed it in an earlier run.`);
      const last = this.o.steps
        .slice(0, start)
        .filter((s) => s.kind === 'weight')
        .pop();
      if (last?.kind === 'weight') await this.shift(last.weight, start);
    }
    for (const [i, step] of this.o.steps.entries()) {
      const n = i + 1;
      if (n <= start) continue;
      if (step.kind === 'weight') await this.shift(step.weight, n);
      else if (step.kind === 'pause' && step.ms === undefined) {
        // Not marked completed: a re-run of the same run stops here again; promote or abort moves on.
        this.d.log(
          `Step ${n}: paused at ${this.weight}% until the promote or abort action runs (a later step or stage).`,
        );
        this.note({
          step: n,
          kind: 'pause',
          at: new Date().toISOString(),
          weight: this.weight,
          note: 'until promote or abort',
        });
        return 'paused';
      } else if (step.kind === 'pause') {
        const ms = step.ms as number;
        this.d.log(`Step ${n}: pausing ${Math.round(ms / 1000)} s at ${this.weight}%.`);
        const at = new Date().toISOString();
        await this.d.sleep(ms);
        this.note({ step: n, kind: 'pause', at, weight: this.weight, durationMs: ms });
      } else {
        this.d.log(`Step ${n}: analysis at ${this.weight}%.`);
        const at = new Date().toISOString();
        const result = await this.d.analyse(step.metrics);
        this.note({ step: n, kind: 'analysis', at, weight: this.weight, analysis: result });
        if (!result.passed) throw new AnalysisFailedError(result, n);
      }
      await this.completed(n);
    }
    await this.promote();
    return 'promoted';
  }

  /** Steps completed with this very canary revision and step list (a re-run after a crash or a pause resumes there). */
  private async resumePoint(): Promise<number> {
    if (this.deployChanged) return 0;
    const canary = await this.d.api.get('Deployment', this.canary);
    const [hash, index] = (canary?.metadata.annotations?.[COMPLETED_STEP] ?? '').split(':');
    const n = Number(index);
    return hash === hashOf(this.o.steps) && Number.isInteger(n) && n > 0 && n <= this.o.steps.length ? n : 0;
  }

  private async completed(n: number): Promise<void> {
    const value = `${hashOf(this.o.steps)}:${n}`;
    await converge(
      this.d.api,
      'Deployment',
      this.canary,
      (c) =>
        !c || c.metadata.annotations?.[COMPLETED_STEP] === value
          ? undefined
          : { op: 'patch', type: 'merge', body: { metadata: { annotations: { [COMPLETED_STEP]: value } } } },
      { signal: this.d.signal, log: this.d.log },
    );
  }

  /** The stable Deployment takes the canary's pod spec and rolls out; then traffic returns to stable and the canary goes. */
  async promote(): Promise<'promoted' | 'nothing'> {
    const at = new Date().toISOString();
    const canary = await this.d.api.get('Deployment', this.canary);
    if (!canary) {
      // Nothing to promote: finish a crashed promotion's clean-up, or confirm an earlier one of this same run.
      await this.cleanUp();
      const stable = await this.stable();
      const a = stable.metadata.annotations ?? {};
      const buildId = this.d.annotations[`${PREFIX}/build-id`];
      if (buildId && a[`${PREFIX}/build-id`] === buildId && a[`${PREFIX}/promoted-image`]) {
        this.note({ kind: 'promote', at, weight: 0, changed: false, note: 'already promoted by this pipeline run' });
        this.d.log(
          `${this.o.deployment} was already promoted to ${a[`${PREFIX}/promoted-image`]} by this pipeline run.`,
        );
        return 'promoted';
      }
      this.note({ kind: 'promote', at, weight: 0, changed: false, note: 'no canary: nothing to promote' });
      this.d.log(`No canary ${this.canary} exists: nothing to promote.`);
      return 'nothing';
    }
    this.promoting = true;
    const result = await converge(
      this.d.api,
      'Deployment',
      this.o.deployment,
      (current) => {
        if (!current) throw new TaskError(`Deployment ${this.o.deployment} does not exist.`);
        const ops = promotePatch(current, canary, this.d.annotations);
        return ops ? { op: 'patch', type: 'json', body: ops } : undefined;
      },
      { signal: this.d.signal, log: this.d.log },
    );
    this.d.log(
      result.changed
        ? `Promoting: ${this.o.deployment} now rolls out ${canary.metadata.annotations?.[CANARY_IMAGE] ?? 'the canary pod spec'}.`
        : `${this.o.deployment} already has the canary's pod spec.`,
    );
    await waitAvailable(this.d.api, this.o.deployment, {
      signal: this.d.signal,
      log: this.d.log,
      pollMs: this.d.pollMs,
    });
    await this.cleanUp();
    this.note({ kind: 'promote', at, weight: 0, changed: result.changed, durationMs: Date.now() - Date.parse(at) });
    return 'promoted';
  }

  /** Traffic 100% stable first (one write per router), then the canary Service and Deployment go. */
  async abort(reason?: string): Promise<void> {
    const at = new Date().toISOString();
    const previous = await this.d.router.currentWeight().catch(() => this.weight);
    await this.cleanUp();
    this.note({
      kind: 'abort',
      at,
      weight: 0,
      note: reason ? `${reason} (canary was at ${previous}%)` : `canary was at ${previous}%`,
    });
  }

  private async cleanUp(): Promise<void> {
    await this.d.router.reset();
    this.weight = 0;
    this.d.log('Traffic is 100% stable.');
    await this.hpa.remove();
    const canaryService = canaryNameOf(this.o.service as string);
    // Read first: a re-run (promote of an already promoted canary) then writes nothing at all.
    if (
      this.d.router.usesCanaryService &&
      (await this.d.api.get('Service', canaryService)) &&
      (await this.d.api.remove('Service', canaryService))
    ) {
      this.d.log(`Deleted Service ${canaryService}.`);
    }
    if (await this.d.api.get('Deployment', this.canary)) {
      // Scaled to zero first: the pods stop at once even if deletion waits on finalizers.
      await converge(
        this.d.api,
        'Deployment',
        this.canary,
        (c) =>
          !c || c.spec?.replicas === 0 ? undefined : { op: 'patch', type: 'merge', body: { spec: { replicas: 0 } } },
        { signal: this.d.cleanupSignal, log: this.d.log },
      );
      if (await this.d.api.remove('Deployment', this.canary)) this.d.log(`Deleted Deployment ${this.canary}.`);
    }
  }
}
