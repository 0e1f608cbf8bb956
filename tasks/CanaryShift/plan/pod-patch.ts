import { parse as parseYaml } from 'yaml';

/**
 * canaryPatch: a strategic merge patch on the canary's pod template, applied here (the canary is a Deployment
 * this task creates, so the patched template is what it sends). The merge follows
 * k8s.io/apimachinery/pkg/util/strategicpatch (patch.go) with the merge keys of the core/v1 PodSpec and
 * Container types (`patchMergeKey` tags in k8s.io/api/core/v1/types.go): maps merge, null deletes a key,
 * lists with a merge key merge item by item (new items appended), `$patch: delete` removes an item,
 * `$patch: replace` replaces the list or map, other lists are replaced whole. The tests compare it with
 * `kubectl patch --local --type strategic`.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** The pod template patch ({metadata?, spec?}), already unwrapped from a Deployment-shaped patch. */
export interface CanaryPatch {
  template: Obj;
}

/** List field → merge key, by the path of the field's parent type (PodTemplateSpec.spec, Container, …). */
const POD_SPEC_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  schedulingGates: 'name',
  topologySpreadConstraints: 'topologyKey',
};
const CONTAINER_KEYS: Record<string, string> = {
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Merge keys of the object at this path (relative to the pod template). */
function keysAt(path: string[]): Record<string, string> {
  const p = path.join('.');
  if (p === 'spec') return POD_SPEC_KEYS;
  if (path.length === 3 && path[0] === 'spec' && CONTAINER_LISTS.has(path[1])) return CONTAINER_KEYS;
  return {};
}

function mergeList(original: Json[], patch: Json[], key: string | undefined, path: string[]): Json[] {
  const replace = patch.find((p) => isObj(p) && p.$patch === 'replace');
  if (replace || !key) return clone(patch.filter((p) => !(isObj(p) && p.$patch === 'replace')));
  const out = clone(original);
  for (const item of patch) {
    if (!isObj(item) || item[key] === undefined)
      throw new Error(`${path.join('.')}: every item needs its merge key ${key}`);
    const at = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeObj(out[at] as Obj, item, path);
    else out.push(mergeObj({}, item, path));
  }
  return out;
}

function mergeObj(original: Obj, patch: Obj, path: string[]): Obj {
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return clone(rest);
  }
  const keys = keysAt(path);
  const out: Obj = clone(original);
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k.startsWith('$')) throw new Error(`${[...path, k].join('.')}: the directive ${k} is not supported`);
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, keys[k], [...path, k]);
    else if (isObj(v)) out[k] = mergeObj(isObj(out[k]) ? out[k] : {}, v, [...path, k]);
    else out[k] = v;
  }
  return out;
}

/** The template with the patch applied (the input is not changed). */
export function applyPodPatch(template: Obj, patch: CanaryPatch): Obj {
  return mergeObj(template, patch.template, []);
}

export const CANARY_PATCH_FIX =
  'Write a strategic merge patch of the pod template in YAML or JSON, e.g. spec: {containers: [{name: web, env: ' +
  '[{name: FEATURE_X, value: "on"}]}]} (a Deployment patch, spec.template…, as kubectl patch takes it, works too)';

/**
 * The input as users copy it from `kubectl patch deployment … -p`: a Deployment patch (spec.template…) or the
 * pod template's own ({metadata, spec}). Checked up front: the shape, the merge keys, and no selector change.
 */
export function parseCanaryPatch(
  text: string,
): { ok: true; value: CanaryPatch } | { ok: false; error: string; fix: string } {
  const fail = (error: string): { ok: false; error: string; fix: string } => ({
    ok: false,
    error,
    fix: CANARY_PATCH_FIX,
  });
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0 });
  } catch (err) {
    return fail(
      `is not valid YAML or JSON: ${String((err as Error).message)
        .split('\n')[0]
        .slice(0, 160)}`,
    );
  }
  if (!isObj(doc)) return fail('is not a map (a patch of the pod template)');
  let template: Json = doc;
  if (isObj(doc.spec) && 'template' in doc.spec) {
    const extra = [
      ...Object.keys(doc).filter((k) => k !== 'spec'),
      ...Object.keys(doc.spec).filter((k) => k !== 'template'),
    ];
    if (extra.length)
      return fail(
        `changes ${extra.map((k) => `'${k.slice(0, 40)}'`).join(', ')} of the Deployment; only its pod template (spec.template) is patched`,
      );
    template = doc.spec.template;
  }
  if (!isObj(template)) return fail('spec.template is not a map');
  const unknown = Object.keys(template).filter((k) => k !== 'metadata' && k !== 'spec');
  if (unknown.length)
    return fail(
      `has ${unknown.map((k) => `'${k.slice(0, 40)}'`).join(', ')}; a pod template has only metadata and spec`,
    );
  if (isObj(template.metadata) && template.metadata.labels !== undefined)
    return fail('changes the pod labels, which the canary selector and the Services depend on');
  try {
    // A dry run on an empty template finds bad merge keys and unsupported directives now, not at deploy.
    applyPodPatch({ metadata: {}, spec: { containers: [] } }, { template });
  } catch (err) {
    return fail((err as Error).message);
  }
  return { ok: true, value: { template } };
}
