import { TaskError } from '../common/errors';
import { converge } from '../common/kube/converge';
import { KubeObject } from '../common/kube/types';
import { waitAvailable } from './kube/availability';
import { AnalysisSelection, BlueGreenOptions } from './options-release';
import {
  BlueGreenMark,
  BlueGreenPhase,
  BlueGreenState,
  blueGreenPlan,
  readMarks,
  sameSelector,
  selectorPatch,
  writeMarks,
} from './plan/blue-green';
import { PREFIX, ROLE_LABEL, SPEC_HASH, canaryLabels, previewNameOf, promotePatch } from './plan/canary-spec';
import { AnalysisFailedError, RolloutDeps, StepRecord } from './rollout';
import { PreviewDeployer, SAVED_SELECTOR } from './preview';

export const BLUE_GREEN_MARKS = `${PREFIX}/blue-green`;

/**
 * Blue/green on one stable Deployment (see plan/blue-green.ts for the semantics): every phase converges, and the
 * pure plan picks up where an interrupted run stopped.
 */
export class BlueGreenRollout {
  readonly steps: StepRecord[] = [];
  /** The new version's share of the traffic: 100 while the active Service selects the preview, else 0. */
  weight = 0;
  promoting = false;
  readonly canary: string;
  private readonly bg: BlueGreenOptions;
  private readonly preview: PreviewDeployer;

  constructor(private readonly d: RolloutDeps) {
    this.bg = d.options.release.blueGreen!;
    this.canary = previewNameOf(d.options.deployment);
    this.preview = new PreviewDeployer(d, this.canary, this.bg.previewService);
  }

  private get service(): string {
    return this.d.options.service as string;
  }

  private note(step: Omit<StepRecord, 'at'> & { at?: string }): void {
    this.steps.push({ at: new Date().toISOString(), weight: this.weight, ...step });
  }

  waitCanary(): Promise<KubeObject> {
    return waitAvailable(this.d.api, this.canary, { signal: this.d.signal, log: this.d.log, pollMs: this.d.pollMs });
  }

  async currentWeight(): Promise<number> {
    const active = await this.d.api.get('Service', this.service);
    return active?.metadata.annotations?.[SAVED_SELECTOR] ? 100 : 0;
  }

  /** What the cluster shows, for the pure plan. */
  private async state(forAction: string): Promise<BlueGreenState> {
    const [active, preview, previewSvc] = await Promise.all([
      this.d.api.get('Service', this.service),
      this.d.api.get('Deployment', this.canary),
      this.d.api.get('Service', this.bg.previewService),
    ]);
    if (!active)
      throw new TaskError(
        `Service ${this.service} does not exist in namespace ${this.d.options.namespace}.`,
        'Check the service input: it names the active Service in front of the stable pods.',
      );
    const hash = preview?.metadata.annotations?.[SPEC_HASH];
    let kind: BlueGreenState['preview'] = preview ? 'current' : 'absent';
    let stableRunsNew = false;
    if (forAction === 'deploy' || forAction === 'run') {
      const desired = await this.preview.desired();
      if (preview && hash !== desired.metadata.annotations?.[SPEC_HASH]) kind = 'stale';
      const stable = await this.d.api.get('Deployment', this.d.options.deployment);
      stableRunsNew =
        JSON.stringify(stable?.spec?.template?.spec) === JSON.stringify(desired.spec.template.spec) && !preview;
    }
    const ours =
      previewSvc?.metadata.labels?.[ROLE_LABEL] === 'preview' || !!previewSvc?.metadata.annotations?.[SAVED_SELECTOR];
    return {
      preview: kind,
      switched: !!active.metadata.annotations?.[SAVED_SELECTOR],
      leftovers: !preview && ours,
      marks: readMarks(preview?.metadata.annotations?.[BLUE_GREEN_MARKS], hash),
      stableRunsNew,
    };
  }

  private settings(): { prePromotion: boolean; postPromotion: boolean; autoPromotion: boolean } {
    return {
      prePromotion: !!this.bg.prePromotion,
      postPromotion: !!this.bg.postPromotion,
      autoPromotion: this.bg.autoPromotion,
    };
  }

  async deploy(): Promise<void> {
    await this.execute(blueGreenPlan('deploy', await this.state('deploy'), this.settings()));
  }

  shift(_weight: number): Promise<void> {
    return Promise.reject(new TaskError('Blue/green does not shift traffic by weight.', 'Use strategy canary.'));
  }

  async run(): Promise<'promoted' | 'paused'> {
    const state = await this.state('run');
    const plan = blueGreenPlan('run', state, this.settings());
    if (!plan.length || (plan.length === 1 && plan[0] === 'removePreview' && state.stableRunsNew)) {
      await this.execute(plan);
      this.d.log(
        `${this.d.options.deployment} already runs the new version and no preview exists: the release is complete.`,
      );
      this.note({ kind: 'promote', weight: 0, changed: false, note: 'already promoted' });
      return 'promoted';
    }
    return (await this.execute(plan)) === 'paused' ? 'paused' : 'promoted';
  }

  async promote(): Promise<'promoted' | 'nothing'> {
    const state = await this.state('promote');
    const plan = blueGreenPlan('promote', state, this.settings());
    if (state.preview === 'absent') {
      await this.execute(plan);
      const a = (await this.d.api.get('Deployment', this.d.options.deployment))?.metadata.annotations ?? {};
      const buildId = this.d.annotations[`${PREFIX}/build-id`];
      if (buildId && a[`${PREFIX}/build-id`] === buildId && a[`${PREFIX}/promoted-image`]) {
        this.note({ kind: 'promote', weight: 0, changed: false, note: 'already promoted by this pipeline run' });
        return 'promoted';
      }
      this.note({ kind: 'promote', weight: 0, changed: false, note: 'no preview: nothing to promote' });
      return 'nothing';
    }
    await this.execute(plan);
    return 'promoted';
  }

  async abort(reason?: string): Promise<void> {
    const at = new Date().toISOString();
    const before = this.weight;
    await this.execute(blueGreenPlan('abort', await this.state('abort'), this.settings()), this.d.cleanupSignal);
    this.weight = 0;
    this.d.log(`Service ${this.service} selects ${this.d.options.deployment}'s pods.`);
    const where = before ? 'the new version had the traffic' : 'the old version had the traffic';
    this.note({ kind: 'abort', at, weight: 0, note: reason ? `${reason} (${where})` : where });
  }

  /** Runs the phases in order; 'paused' when the plan stops before the switch (autoPromotionEnabled false). */
  private async execute(plan: BlueGreenPhase[], signal = this.d.signal): Promise<'paused' | 'done'> {
    for (const phase of plan) {
      if (phase === 'pause') {
        this.d.log(
          `Paused before the switch: ${this.canary} is up behind ${this.bg.previewService}; promote switches.`,
        );
        this.note({ kind: 'pause', note: 'until promote or abort' });
        return 'paused';
      }
      await this.phase(phase, signal);
    }
    return 'done';
  }

  private async phase(phase: BlueGreenPhase, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    switch (phase) {
      case 'deploy': {
        const changed = await this.preview.deploy();
        this.note({ kind: 'deploy', at: new Date(started).toISOString(), changed, durationMs: Date.now() - started });
        return;
      }
      case 'prePromotion':
      case 'postPromotion':
        return this.analyse(phase, phase === 'prePromotion' ? this.bg.prePromotion : this.bg.postPromotion);
      case 'switch':
        await this.point(this.service, 'preview', signal);
        this.weight = 100;
        this.d.log(`Switched: Service ${this.service} now selects the preview pods (${this.canary}).`);
        this.note({ kind: 'switch', note: `${this.service} → ${this.canary}`, durationMs: Date.now() - started });
        return;
      case 'restore':
        await this.point(this.service, 'stable', signal);
        this.weight = 0;
        this.note({ kind: 'switch', note: `${this.service} → ${this.d.options.deployment} (old version)` });
        return;
      case 'scaleDownDelay':
      case 'drain':
        if (this.bg.scaleDownDelayMs > 0) {
          this.d.log(
            phase === 'scaleDownDelay'
              ? `Keeping the old version ${Math.round(this.bg.scaleDownDelayMs / 1000)} s (scaleDownDelaySeconds).`
              : `Keeping ${this.canary} ${Math.round(this.bg.scaleDownDelayMs / 1000)} s while the endpoints move back.`,
          );
          await this.d.sleep(this.bg.scaleDownDelayMs);
        }
        this.note({ kind: 'pause', durationMs: this.bg.scaleDownDelayMs, note: phase });
        return;
      case 'promoteStable':
        return this.promoteStable(started);
      case 'switchBack':
        await this.point(this.service, 'stable', signal);
        this.weight = 0;
        this.note({ kind: 'switch', note: `${this.service} → ${this.d.options.deployment} (new version)` });
        return;
      case 'removePreview':
        await this.preview.remove(signal);
        return;
    }
  }

  private async analyse(phase: 'prePromotion' | 'postPromotion', selection: AnalysisSelection): Promise<void> {
    const at = new Date().toISOString();
    this.d.log(`${phase === 'prePromotion' ? 'Pre' : 'Post'}-promotion analysis.`);
    const result = await this.d.analyse(selection?.metrics);
    this.note({ kind: 'analysis', at, analysis: result, note: phase });
    if (!result.passed) throw new AnalysisFailedError(result, this.steps.length);
    await this.mark(phase);
  }

  private async mark(mark: BlueGreenMark): Promise<void> {
    await converge(
      this.d.api,
      'Deployment',
      this.canary,
      (c) => {
        const hash = c?.metadata.annotations?.[SPEC_HASH];
        if (!c || !hash) return undefined;
        const marks = readMarks(c.metadata.annotations?.[BLUE_GREEN_MARKS], hash);
        if (marks.includes(mark)) return undefined;
        const value = writeMarks(hash, [...marks, mark]);
        return { op: 'patch', type: 'merge', body: { metadata: { annotations: { [BLUE_GREEN_MARKS]: value } } } };
      },
      { signal: this.d.signal, log: this.d.log },
    );
  }

  /** The stable Deployment takes the preview's pod spec (the marks say so first: from here there is no way back). */
  private async promoteStable(started: number): Promise<void> {
    await this.mark('promoting');
    this.promoting = true;
    const preview = await this.d.api.get('Deployment', this.canary);
    if (!preview) throw new TaskError(`The preview Deployment ${this.canary} disappeared during the promotion.`);
    const result = await converge(
      this.d.api,
      'Deployment',
      this.d.options.deployment,
      (current) => {
        if (!current) throw new TaskError(`Deployment ${this.d.options.deployment} does not exist.`);
        const ops = promotePatch(current, preview, this.d.annotations);
        return ops ? { op: 'patch', type: 'json', body: ops } : undefined;
      },
      { signal: this.d.signal, log: this.d.log },
    );
    if (result.changed) this.d.log(`The old version goes: ${this.d.options.deployment} rolls out the new pod spec.`);
    await waitAvailable(this.d.api, this.d.options.deployment, {
      signal: this.d.signal,
      log: this.d.log,
      pollMs: this.d.pollMs,
    });
    this.note({ kind: 'promote', weight: this.weight, changed: result.changed, durationMs: Date.now() - started });
  }

  /** Points a Service at the preview pods or back at its own selector (saved once, restored exactly). */
  async point(name: string, to: 'preview' | 'stable', signal: AbortSignal): Promise<void> {
    const isolate = await this.preview.isolateKeys();
    await converge(
      this.d.api,
      'Service',
      name,
      (svc) => {
        if (!svc) throw new TaskError(`Service ${name} does not exist in namespace ${this.d.options.namespace}.`);
        const saved = svc.metadata.annotations?.[SAVED_SELECTOR];
        const current = (svc.spec?.selector ?? {}) as Record<string, string>;
        if (to === 'stable') {
          if (!saved) return undefined;
          return {
            op: 'patch',
            type: 'merge',
            body: selectorPatch(current, JSON.parse(saved), { key: SAVED_SELECTOR, value: null }),
          };
        }
        const original = saved ? (JSON.parse(saved) as Record<string, string>) : current;
        const next = canaryLabels(original, isolate, 'preview');
        if (saved && sameSelector(current, next)) return undefined;
        const body = selectorPatch(current, next, { key: SAVED_SELECTOR, value: saved ?? JSON.stringify(original) });
        return {
          op: 'patch',
          type: 'merge',
          body: { ...body, metadata: { annotations: { ...this.d.annotations, ...body.metadata.annotations } } },
        };
      },
      { signal, log: this.d.log },
    );
  }
}
