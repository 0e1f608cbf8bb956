import { createHash } from 'node:crypto';
import { RunInfo } from '../../common/host';
import { ImageRef, imageName, parseImageRef } from '../../common/image-ref';
import { KubeObject } from '../../common/kube/types';
import { CanaryPatch, applyPodPatch } from './pod-patch';

/** Our label and annotation keys; the label marks every object this task creates. */
export const PREFIX = 'multicloud-devsecops.io';
export const ROLE_LABEL = `${PREFIX}/role`;
export const SPEC_HASH = `${PREFIX}/spec-hash`;
export const CANARY_IMAGE = `${PREFIX}/canary-image`;
export const STABLE_OF = `${PREFIX}/stable`;
export const WEIGHT_ANNOTATION = `${PREFIX}/canary-weight`;
/** `<steps hash>:<n>` on the canary: steps 1..n are done, so a re-run of the same steps resumes after n. */
export const COMPLETED_STEP = `${PREFIX}/completed-step`;

export const canaryNameOf = (name: string): string => `${name}-canary`;

/** What the task's second Deployment is: a canary sharing traffic, or a blue/green preview taking all of it at once. */
export type Role = 'canary' | 'preview';
export const previewNameOf = (name: string): string => `${name}-preview`;
const nameFor = (name: string, role: Role): string => (role === 'canary' ? canaryNameOf(name) : previewNameOf(name));

/** Which pipeline run last changed an object: predefined variables only, never people's names. */
export function runAnnotations(run: RunInfo): Record<string, string> {
  const pairs: [string, string | undefined][] = [
    ['build-id', run.buildId],
    ['build-number', run.buildNumber],
    ['pipeline', run.pipeline],
    ['definition-id', run.definitionId],
    ['project', run.project],
    ['collection', run.collectionUri],
    ['stage', run.stage],
    ['source-version', run.sourceVersion],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v).map(([k, v]) => [`${PREFIX}/${k}`, v as string]));
}

/** A label value with a suffix, still a valid label value (≤ 63 characters, alphanumeric at both ends). */
export function suffixed(value: string, suffix = 'canary'): string {
  const head = value.slice(0, 62 - suffix.length).replace(/[-_.]+$/, '');
  return head ? `${head}-${suffix}` : suffix;
}

/**
 * Canary pod labels. `isolate` lists the label keys the stable Service and Deployment select on: their
 * values get a -canary suffix so the stable Service never sends traffic to canary pods (routers that
 * split traffic between two Services). Without isolation (the pod router) the canary pods keep them and
 * receive traffic through the stable Service in proportion to their number.
 */
export function canaryLabels(
  labels: Record<string, string> | undefined,
  isolate: string[],
  role: Role = 'canary',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) out[k] = isolate.includes(k) ? suffixed(v, role) : v;
  out[ROLE_LABEL] = role;
  return out;
}

export function imageText(image: ImageRef): string {
  return `${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}

/** registry/repository of a pod spec image, normalised as Docker does (`nginx:1.26` is docker.io/library/nginx). */
function repositoryOf(image: string): string {
  const parsed = parseImageRef(image, { requireReference: false });
  return parsed.ok ? imageName(parsed.value) : image.split('@')[0];
}

/**
 * The container whose image the canary replaces: the one named by the `container` input, else the only one,
 * else the one running the same repository (short Docker Hub names normalised: nginx = docker.io/library/nginx).
 */
export function chooseContainer(
  containers: { name: string; image?: string }[],
  image: ImageRef,
  name?: string,
): { ok: true; index: number } | { ok: false; error: string } {
  const names = containers.map((c) => `${c.name} (${c.image})`).join(', ');
  if (name) {
    const index = containers.findIndex((c) => c.name === name);
    return index >= 0
      ? { ok: true, index }
      : { ok: false, error: `no container is named ${name}; the containers are ${names}` };
  }
  if (containers.length === 1) return { ok: true, index: 0 };
  const repo = imageName(image);
  const matches = containers.map((c, i) => ({ c, i })).filter(({ c }) => c.image && repositoryOf(c.image) === repo);
  if (matches.length === 1) return { ok: true, index: matches[0].i };
  return {
    ok: false,
    error: matches.length
      ? `${matches.length} containers run ${repo}: ${names}; name one with the container input`
      : `no container runs ${repo}; the containers are ${names}`,
  };
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export interface CanaryPlanInput {
  stable: KubeObject;
  /** The new image (optional when a canaryPatch makes the change). */
  image?: ImageRef;
  /** canaryPatch: a strategic merge patch of the pod template, applied after the image. */
  patch?: CanaryPatch;
  replicas: number;
  isolate: string[];
  annotations: Record<string, string>;
  /** The container input: which container's image changes. */
  container?: string;
  /** canary (default) or preview (blue/green): the name suffix, the label suffix and the role label. */
  role?: Role;
}

/**
 * The canary Deployment, derived from the stable one: same pod spec with the new image, selector and
 * labels made canary-only, the stable's rollout settings. The spec hash lets a re-run see it has
 * nothing to do, since a real API server adds defaults that make a field-by-field comparison useless.
 */
export function canaryDeployment(input: CanaryPlanInput): KubeObject {
  const { stable, image } = input;
  const role = input.role ?? 'canary';
  const spec = stable.spec;
  let template = JSON.parse(JSON.stringify(spec.template));
  const containers = template.spec.containers as { name: string; image?: string }[];
  let index = containers.length === 1 ? 0 : containers.findIndex((c) => c.name === input.container);
  if (image) {
    const chosen = chooseContainer(containers, image, input.container);
    if (!chosen.ok) throw new Error(chosen.error);
    containers[chosen.index].image = imageText(image);
    index = chosen.index;
  }
  if (input.patch) {
    template = applyPodPatch(template, input.patch);
    const bare = (template.spec?.containers ?? []).find((c: { image?: string }) => !c.image);
    if (bare)
      throw new Error(
        `canaryPatch adds container ${bare.name} without an image (or names a container the stable lacks)`,
      );
  }
  // The version the canary runs, for records: the changed container's image.
  const newImage = image ? imageText(image) : (template.spec.containers[Math.max(0, index)]?.image ?? '');
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: canaryLabels(template.metadata?.labels, input.isolate, role),
  };
  const canarySpec = {
    replicas: input.replicas,
    selector: { ...spec.selector, matchLabels: canaryLabels(spec.selector?.matchLabels, input.isolate, role) },
    template,
    ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
    ...(spec.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: spec.progressDeadlineSeconds } : {}),
    ...(spec.strategy !== undefined ? { strategy: spec.strategy } : {}),
    revisionHistoryLimit: 2,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: nameFor(stable.metadata.name, role),
      namespace: stable.metadata.namespace,
      labels: canaryLabels(stable.metadata.labels, input.isolate, role),
      // replicas follow the weight (shift scales them), so they are not part of what the hash compares.
      annotations: {
        ...input.annotations,
        [STABLE_OF]: stable.metadata.name,
        [CANARY_IMAGE]: newImage,
        [SPEC_HASH]: hashOf({ ...canarySpec, replicas: undefined }),
      },
    },
    spec: canarySpec,
  };
}

/** The JSON patch that turns an existing canary into the desired one (spec and our annotations), or undefined if it already is. */
export function canaryUpdate(current: KubeObject, desired: KubeObject): unknown[] | undefined {
  if (current.metadata.annotations?.[SPEC_HASH] === desired.metadata.annotations?.[SPEC_HASH]) return undefined;
  // The current scale is kept: shift owns the canary's replicas.
  const replicas = current.spec?.replicas ?? desired.spec.replicas;
  const ops: unknown[] = [{ op: 'replace', path: '/spec', value: { ...desired.spec, replicas } }];
  if (!current.metadata.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  for (const [k, v] of Object.entries(desired.metadata.annotations ?? {}))
    ops.push({ op: 'add', path: `/metadata/annotations/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: v });
  return ops;
}

/**
 * Promotion: the stable Deployment gets the canary's pod spec (what was analysed) and keeps its own
 * labels and selector, so its Service and ReplicaSet history stay intact. Undefined when already done.
 */
export function promotePatch(
  stable: KubeObject,
  canary: KubeObject,
  annotations: Record<string, string>,
): unknown[] | undefined {
  const canaryPod = canary.spec.template.spec;
  if (JSON.stringify(stable.spec.template.spec) === JSON.stringify(canaryPod)) return undefined;
  const ops: unknown[] = [{ op: 'replace', path: '/spec/template/spec', value: canaryPod }];
  if (!stable.metadata.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  const promoted = { ...annotations, [`${PREFIX}/promoted-image`]: canary.metadata.annotations?.[CANARY_IMAGE] ?? '' };
  for (const [k, v] of Object.entries(promoted))
    ops.push({ op: 'add', path: `/metadata/annotations/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: v });
  return ops;
}

/** The Service in front of the canary pods only: the stable Service's ports, its selector made canary-only. */
export function canaryService(
  stable: KubeObject,
  isolate: string[],
  annotations: Record<string, string>,
  role: Role = 'canary',
  name = nameFor(stable.metadata.name, role),
): KubeObject {
  const ports = ((stable.spec?.ports ?? []) as Record<string, unknown>[]).map(({ nodePort: _n, ...p }) => p);
  const spec = { type: 'ClusterIP', selector: canaryLabels(stable.spec?.selector, isolate, role), ports };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: stable.metadata.namespace,
      labels: { [ROLE_LABEL]: role },
      annotations: { ...annotations, [STABLE_OF]: stable.metadata.name, [SPEC_HASH]: hashOf(spec) },
    },
    spec,
  };
}
