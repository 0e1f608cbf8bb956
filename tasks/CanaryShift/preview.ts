import { TaskError } from '../common/errors';
import { converge } from '../common/kube/converge';
import { KubeObject } from '../common/kube/types';
import { waitAvailable } from './kube/availability';
import { selectorPatch } from './plan/blue-green';
import { ROLE_LABEL, SPEC_HASH, canaryDeployment, canaryService, canaryUpdate, imageText } from './plan/canary-spec';
import { stableReplicaCount } from './plan/replicas';
import type { RolloutDeps } from './rollout';
import { HpaFollower } from './kube/hpa';

/** The original selector of a Service we pointed elsewhere (JSON): the switch back restores exactly it. */
export const SAVED_SELECTOR = 'multicloud-devsecops.io/original-selector';

/** The blue/green preview: `<deployment>-preview` at the stable's size, and the preview Service in front of it. */
export class PreviewDeployer {
  /** The preview gets the stable's HPA bounds: it takes all the traffic at the switch. */
  private readonly hpa: HpaFollower;

  constructor(
    private readonly d: RolloutDeps,
    readonly name: string,
    readonly service: string,
  ) {
    this.hpa = new HpaFollower(d, d.options.deployment, { name, role: 'preview' }, 0);
  }

  private wait(name: string): Promise<KubeObject> {
    return waitAvailable(this.d.api, name, { signal: this.d.signal, log: this.d.log, pollMs: this.d.pollMs });
  }

  private async stable(): Promise<KubeObject> {
    const stable = await this.d.api.get('Deployment', this.d.options.deployment);
    if (!stable)
      throw new TaskError(
        `Deployment ${this.d.options.deployment} does not exist in namespace ${this.d.options.namespace}.`,
        'Check the deployment and namespace inputs: the stable Deployment must exist before a preview.',
      );
    return stable;
  }

  /** The active Service's own selector (saved while switched) and the stable's: preview pods get other values. */
  async isolateKeys(stable?: KubeObject): Promise<string[]> {
    const active = await this.d.api.get('Service', this.d.options.service as string);
    if (!active) throw new TaskError(`Service ${this.d.options.service} does not exist.`);
    const saved = active.metadata.annotations?.[SAVED_SELECTOR];
    const selector = saved ? (JSON.parse(saved) as Record<string, string>) : (active.spec?.selector ?? {});
    const s = stable ?? (await this.stable());
    return [...new Set([...Object.keys(selector), ...Object.keys(s.spec?.selector?.matchLabels ?? {})])];
  }

  /** The preview Deployment as it should be: the stable's pod spec with the new image and patch, the stable's size. */
  async desired(stable?: KubeObject): Promise<KubeObject> {
    const s = stable ?? (await this.stable());
    const o = this.d.options;
    try {
      return canaryDeployment({
        stable: s,
        image: o.image,
        patch: o.release.canaryPatch,
        replicas: stableReplicaCount(s, !!(await this.hpa.stableHpa())),
        isolate: await this.isolateKeys(s),
        annotations: this.d.annotations,
        container: o.container,
        role: 'preview',
      });
    } catch (err) {
      if (err instanceof TaskError) throw err;
      throw new TaskError(
        `Cannot derive the preview from Deployment ${o.deployment}: ${(err as Error).message}.`,
        'Use an image from the same repository as the container to replace, or name the container.',
      );
    }
  }

  /** Brings the preview up behind the preview Service; true when something changed. */
  async deploy(): Promise<boolean> {
    if (this.d.router.kind !== 'pod') await this.d.router.verify();
    await this.stable();
    // The old version must be healthy: an abort returns the traffic to it.
    const stable = await this.wait(this.d.options.deployment);
    const desired = await this.desired(stable);
    const active = (await this.d.api.get('Service', this.d.options.service as string))!;
    const saved = active.metadata.annotations?.[SAVED_SELECTOR];
    const template = saved ? { ...active, spec: { ...active.spec, selector: JSON.parse(saved) } } : active;
    const want = canaryService(template, await this.isolateKeys(stable), this.d.annotations, 'preview', this.service);
    await converge(
      this.d.api,
      'Service',
      this.service,
      (current) => {
        if (!current) return { op: 'create', object: want };
        if (current.metadata.annotations?.[SPEC_HASH] === want.metadata.annotations?.[SPEC_HASH]) return undefined;
        const ours = current.metadata.labels?.[ROLE_LABEL] === 'preview';
        const keep = current.metadata.annotations?.[SAVED_SELECTOR] ?? JSON.stringify(current.spec?.selector ?? {});
        // A Service the user made keeps its ports; it is pointed at the preview and gets its selector back later.
        const body = selectorPatch(current.spec?.selector ?? {}, want.spec.selector, {
          key: SAVED_SELECTOR,
          value: ours ? null : keep,
        });
        return {
          op: 'patch',
          type: 'merge',
          body: {
            metadata: { annotations: { ...want.metadata.annotations, ...body.metadata.annotations } },
            spec: { ...(ours ? { ports: want.spec.ports } : {}), selector: body.spec.selector },
          },
        };
      },
      { signal: this.d.signal, log: this.d.log },
    );
    const result = await converge(
      this.d.api,
      'Deployment',
      this.name,
      (current) => {
        if (!current) return { op: 'create', object: desired };
        const ops = canaryUpdate(current, desired);
        return ops ? { op: 'patch', type: 'json', body: ops } : undefined;
      },
      { signal: this.d.signal, log: this.d.log },
    );
    const what = this.d.options.image ? imageText(this.d.options.image) : 'the patched pod template';
    this.d.log(
      result.changed
        ? `Deployed ${this.name} with ${what} (${desired.spec.replicas} replica(s)) behind Service ${this.service}.`
        : `${this.name} already runs ${what}: nothing to change.`,
    );
    await this.wait(this.name);
    await this.hpa.follow(100);
    return result.changed;
  }

  /** The preview Deployment goes (scaled to 0 first); our preview Service goes, a user's gets its selector back. */
  async remove(signal: AbortSignal): Promise<void> {
    await this.hpa.remove();
    if (await this.d.api.get('Deployment', this.name)) {
      await converge(
        this.d.api,
        'Deployment',
        this.name,
        (c) =>
          !c || c.spec?.replicas === 0 ? undefined : { op: 'patch', type: 'merge', body: { spec: { replicas: 0 } } },
        { signal, log: this.d.log },
      );
      if (await this.d.api.remove('Deployment', this.name)) this.d.log(`Deleted Deployment ${this.name}.`);
    }
    const svc = await this.d.api.get('Service', this.service);
    if (!svc) return;
    if (svc.metadata.labels?.[ROLE_LABEL] === 'preview') {
      if (await this.d.api.remove('Service', this.service)) this.d.log(`Deleted Service ${this.service}.`);
      return;
    }
    await converge(
      this.d.api,
      'Service',
      this.service,
      (c) => {
        const saved = c?.metadata.annotations?.[SAVED_SELECTOR];
        if (!c || !saved) return undefined;
        const body = selectorPatch(c.spec?.selector ?? {}, JSON.parse(saved), { key: SAVED_SELECTOR, value: null });
        const annotations = { ...body.metadata.annotations, [SPEC_HASH]: null };
        return { op: 'patch', type: 'merge', body: { ...body, metadata: { annotations } } };
      },
      { signal, log: this.d.log },
    );
  }
}
