import {
  JsonObject,
  clone,
  deepEqual,
  deleteAt,
  isObject,
  leafPaths,
  mergePatch,
  strategicMerge,
  valueAt,
} from './patch';
import { apiVersionOf } from './resources';
import { Entry, ObjectStore } from './store';
import { ApiError, badRequest, details } from './errors';
import type { ApiResponse, ResourceRequest } from './handlers';

/** The handler steps server-side apply reuses (create, commit, ownership, identity checks). */
export interface ApplySteps {
  create(store: ObjectStore, r: ResourceRequest, obj: JsonObject): ApiResponse;
  commit(store: ObjectStore, r: ResourceRequest, entry: Entry, next: JsonObject, before: JsonObject): ApiResponse;
  own(
    entry: Entry,
    manager: string,
    operation: 'Apply' | 'Update',
    obj: JsonObject,
    before: JsonObject | undefined,
    r: ResourceRequest,
  ): void;
  checkIdentity(r: ResourceRequest, obj: JsonObject, name?: string): JsonObject;
  asObject(body: unknown): JsonObject;
}

/**
 * Server-side apply (application/apply-patch+yaml): fieldManager required; fields owned by another
 * manager with a different value conflict (409) unless force=true; fields this manager applied
 * before and no longer applies are removed unless someone else owns them. Lists are atomic here.
 */
export function apply(
  store: ObjectStore,
  r: ResourceRequest,
  entry: Entry | undefined,
  steps: ApplySteps,
): ApiResponse {
  const { create, commit, own, checkIdentity, asObject } = steps;
  if (!r.query.get('fieldManager'))
    throw badRequest(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  if (r.subresource) throw badRequest('apply is not supported on this subresource by the emulator');
  const config = asObject(r.body);
  if (!config.apiVersion || !config.kind)
    throw badRequest('apiVersion and kind are required in an apply configuration');
  checkIdentity(r, config, r.name);
  const manager = r.query.get('fieldManager') as string;
  const force = r.query.get('force') === 'true';
  if (!entry) {
    const res = create(store, { ...r, manager: `${manager}\u0000apply` }, clone(config));
    const created = store.get(r.type, r.namespace, r.name as string)!;
    created.owners.clear();
    own(created, manager, 'Apply', config, undefined, r);
    return { code: 201, body: { ...res.body, metadata: store.render(created, r.version).metadata } };
  }
  const paths = leafPaths(config);
  const conflicts: { manager: string; field: string }[] = [];
  for (const [m, o] of entry.owners) {
    if (m === manager) continue;
    for (const p of paths)
      if (o.paths.has(JSON.stringify(p)) && !deepEqual(valueAt(entry.obj, p), valueAt(config, p)))
        conflicts.push({ manager: m, field: `.${p.join('.')}` });
  }
  if (conflicts.length && !force) {
    throw new ApiError(
      409,
      'Conflict',
      `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`).join('\n')}`,
      details(r, {
        causes: conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"`,
          field: c.field,
        })),
      }),
    );
  }
  const { metadata: _m, ...configRest } = config;
  const configMeta = config.metadata as JsonObject;
  let merged = (
    r.type.builtin ? strategicMerge(entry.obj, configRest) : mergePatch(entry.obj, configRest)
  ) as JsonObject;
  const mergedMeta = merged.metadata as JsonObject;
  for (const k of ['labels', 'annotations'])
    if (isObject(configMeta[k]))
      mergedMeta[k] = { ...(isObject(mergedMeta[k]) ? mergedMeta[k] : {}), ...configMeta[k] };
  // Fields this manager applied before and no longer applies are removed, unless someone else owns them.
  const previous = entry.owners.get(manager);
  const now = new Set(paths.map((p) => JSON.stringify(p)));
  for (const [key, p] of previous?.paths ?? []) {
    if (!now.has(key) && ![...entry.owners].some(([m, o]) => m !== manager && o.paths.has(key))) deleteAt(merged, p);
  }
  merged = clone(merged);
  if (force)
    for (const [m, o] of entry.owners)
      if (m !== manager)
        for (const c of conflicts.filter((x) => x.manager === m))
          o.paths.delete(JSON.stringify(c.field.slice(1).split('.')));
  const before = clone(entry.obj);
  const res = commit(store, { ...r, manager: `${manager}\u0000apply` }, entry, merged, before);
  entry.owners.delete(`${manager}\u0000apply`);
  entry.owners.set(manager, {
    operation: 'Apply',
    apiVersion: apiVersionOf(r.type, r.version),
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    paths: new Map(paths.map((p) => [JSON.stringify(p), p])),
  });
  return { code: res.code, body: store.render(entry, r.version) };
}
