import {
  Json,
  JsonObject,
  PatchError,
  clone,
  deepEqual,
  isObject,
  jsonPatch,
  leafPaths,
  mergePatch,
  strategicMerge,
  valueAt,
} from './patch';
import {
  ResourceType,
  apiVersionOf,
  applyDefaults,
  matchesSelector,
  parseLabelSelector,
  qualifiedName,
  validate,
} from './resources';
import { Entry, ObjectStore } from './store';
import { apply } from './apply';
import { ApiError, badRequest, conflict, details, invalid, notFound } from './errors';

export { ApiError, statusBody } from './errors';

export interface ResourceRequest {
  method: string;
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  contentType: string;
  body: Json | undefined;
  /** fieldManager, or the User-Agent's product as the real server derives it. */
  manager: string;
}

export interface ApiResponse {
  code: number;
  body: JsonObject;
}

export function handleResource(store: ObjectStore, r: ResourceRequest): ApiResponse {
  const t = r.type;
  if (!r.name) {
    if (r.method === 'GET') return list(store, r);
    if (r.method === 'POST') return create(store, r, asObject(r.body));
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
  if (r.subresource && !(r.subresource === 'status' && t.status) && !(r.subresource === 'scale' && t.scale)) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  const entry = store.get(t, r.namespace, r.name);
  switch (r.method) {
    case 'GET':
      if (!entry) throw notFound(r);
      return { code: 200, body: r.subresource === 'scale' ? toScale(store, entry, r) : store.render(entry, r.version) };
    case 'PUT':
      if (!entry) throw notFound(r);
      return update(store, r, entry, asObject(r.body));
    case 'PATCH':
      return patch(store, r, entry);
    case 'DELETE':
      return remove(store, r, entry);
    default:
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}

export function asObject(body: Json | undefined): JsonObject {
  if (!isObject(body)) throw badRequest('the body of the request was empty or not an object');
  return clone(body);
}

function list(store: ObjectStore, r: ResourceRequest): ApiResponse {
  const selector = parseLabelSelector(r.query.get('labelSelector') ?? '');
  if (typeof selector === 'string') throw badRequest(selector);
  const fields = (r.query.get('fieldSelector') ?? '')
    .split(',')
    .filter(Boolean)
    .map((f) => f.split('='));
  const items = store
    .list(r.type, r.namespace)
    .filter((e) => matchesSelector(selector, e.obj))
    .filter((e) =>
      fields.every(([k, v]) =>
        k === 'metadata.name'
          ? (e.obj.metadata as JsonObject).name === v
          : k === 'metadata.namespace'
            ? (e.obj.metadata as JsonObject).namespace === v
            : true,
      ),
    );
  const rendered = items.map((e) => {
    const o = store.render(e, r.version);
    // Typed lists of built-in kinds carry no per-item kind/apiVersion; custom resource lists do.
    if (r.type.builtin) {
      delete o.kind;
      delete o.apiVersion;
    }
    return o;
  });
  return {
    code: 200,
    body: {
      kind: `${r.type.kind}List`,
      apiVersion: apiVersionOf(r.type, r.version),
      metadata: { resourceVersion: store.currentRevision() },
      items: rendered,
    },
  };
}

export function checkIdentity(r: ResourceRequest, obj: JsonObject, name?: string): JsonObject {
  const expected = apiVersionOf(r.type, r.version);
  if (
    obj.apiVersion !== undefined &&
    obj.apiVersion !== expected &&
    !r.type.versions.some((v) => apiVersionOf(r.type, v) === obj.apiVersion)
  ) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== r.type.kind)
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${r.type.kind})`);
  const meta = isObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
  if (r.type.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== r.namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = r.namespace as string;
  }
  if (name !== undefined && meta.name !== undefined && meta.name !== name)
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  if (name !== undefined) meta.name = name;
  obj.apiVersion = expected;
  obj.kind = r.type.kind;
  return meta;
}

function ensureNamespace(store: ObjectStore, r: ResourceRequest): void {
  if (!r.type.namespaced) return;
  const nsType = store.typeFor('', 'v1', 'namespaces')!;
  if (!store.get(nsType, undefined, r.namespace as string))
    throw new ApiError(404, 'NotFound', `namespaces "${r.namespace}" not found`, {
      name: r.namespace as string,
      kind: 'namespaces',
    });
}

export function create(store: ObjectStore, r: ResourceRequest, obj: JsonObject): ApiResponse {
  const meta = checkIdentity(r, obj);
  if (!meta.name && typeof meta.generateName === 'string')
    meta.name = `${meta.generateName}${Math.random().toString(36).slice(2, 7)}`;
  const req = { ...r, name: String(meta.name ?? '') };
  if (!meta.name) throw invalid(req, ['metadata.name: Required value: name or generateName is required']);
  ensureNamespace(store, r);
  if (store.get(r.type, r.namespace, meta.name as string))
    throw new ApiError(409, 'AlreadyExists', `${qualifiedName(r.type)} "${meta.name}" already exists`, details(req));
  for (const k of ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields']) delete meta[k];
  // With a status subresource, a create cannot set status.
  if (r.type.status && r.type.kind !== 'Namespace') delete obj.status;
  if (r.type.kind === 'Namespace') obj.status = { phase: 'Active' };
  applyDefaults(r.type, obj);
  const problems = validate(r.type, obj);
  if (problems.length) throw invalid(req, problems);
  const entry = store.create(r.type, obj, 'api');
  own(entry, r.manager, 'Update', obj, undefined, r);
  return { code: 201, body: store.render(entry, r.version) };
}

/** What counts for metadata.generation: everything but metadata (and status when it is a subresource). */
function specChanged(t: ResourceType, a: JsonObject, b: JsonObject): boolean {
  const strip = (o: JsonObject): JsonObject =>
    Object.fromEntries(
      Object.entries(o).filter(
        ([k]) => k !== 'metadata' && !(t.status && k === 'status') && k !== 'apiVersion' && k !== 'kind',
      ),
    );
  return !deepEqual(strip(a), strip(b));
}

/** Records which manager set which fields, as managedFields does (Update operations take over changed fields). */
export function own(
  entry: Entry,
  manager: string,
  operation: 'Apply' | 'Update',
  obj: JsonObject,
  before: JsonObject | undefined,
  r: ResourceRequest,
): void {
  const changed = leafPaths(obj).filter((p) => !before || !deepEqual(valueAt(before, p), valueAt(obj, p)));
  if (!changed.length) return;
  const mine = entry.owners.get(manager) ?? {
    operation,
    apiVersion: apiVersionOf(r.type, r.version),
    time: '',
    paths: new Map<string, string[]>(),
  };
  mine.time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const p of changed) {
    const key = JSON.stringify(p);
    for (const [m, o] of entry.owners) if (m !== manager) o.paths.delete(key);
    mine.paths.set(key, p);
  }
  entry.owners.set(manager, mine);
}

export function commit(
  store: ObjectStore,
  r: ResourceRequest,
  entry: Entry,
  next: JsonObject,
  before: JsonObject,
): ApiResponse {
  const meta = next.metadata as JsonObject;
  const old = entry.obj;
  for (const k of ['uid', 'creationTimestamp', 'generation', 'managedFields']) delete meta[k];
  if (r.subresource === 'status') {
    const keep = clone(old);
    keep.status = next.status;
    next = keep;
  } else if (r.type.status && r.type.kind !== 'Namespace') {
    if (old.status === undefined) delete next.status;
    else next.status = clone(old.status);
  }
  applyDefaults(r.type, next);
  const problems = validate(r.type, next, old);
  if (problems.length) throw invalid(r, problems);
  if (
    deepEqual(
      { ...next, metadata: { ...meta, resourceVersion: undefined } },
      {
        ...old,
        metadata: {
          ...(old.metadata as JsonObject),
          resourceVersion: undefined,
          uid: undefined,
          creationTimestamp: undefined,
          generation: undefined,
        },
      },
    )
  ) {
    // A no-op write is not a write: resourceVersion stays, as on a real server.
    return { code: 200, body: store.render(entry, r.version) };
  }
  store.update(entry, next, specChanged(r.type, old, next), 'api');
  own(entry, r.manager, 'Update', next, before, r);
  return { code: 200, body: r.subresource === 'scale' ? toScale(store, entry, r) : store.render(entry, r.version) };
}

function update(store: ObjectStore, r: ResourceRequest, entry: Entry, body: JsonObject): ApiResponse {
  if (r.subresource === 'scale') return scaleTo(store, r, entry, body);
  const meta = checkIdentity(r, body, r.name);
  const current = (entry.obj.metadata as JsonObject).resourceVersion;
  if (meta.resourceVersion === undefined || meta.resourceVersion === '') {
    // Custom resources never allow unconditional updates; built-in workloads do.
    if (!r.type.builtin)
      throw invalid(r, ['metadata.resourceVersion: Invalid value: 0x0: must be specified for an update']);
  } else if (meta.resourceVersion !== current) throw conflict(r);
  return commit(store, r, entry, body, entry.obj);
}

function toScale(store: ObjectStore, entry: Entry, _r: ResourceRequest): JsonObject {
  const meta = entry.obj.metadata as JsonObject;
  const spec = entry.obj.spec as JsonObject;
  const match = ((spec.selector as JsonObject)?.matchLabels ?? {}) as Record<string, string>;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: spec.replicas },
    status: {
      replicas: (entry.obj.status as JsonObject)?.replicas ?? 0,
      selector: Object.entries(match)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function scaleTo(store: ObjectStore, r: ResourceRequest, entry: Entry, scale: JsonObject): ApiResponse {
  const rv = (scale.metadata as JsonObject | undefined)?.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== (entry.obj.metadata as JsonObject).resourceVersion) throw conflict(r);
  const replicas = (scale.spec as JsonObject | undefined)?.replicas;
  if (typeof replicas !== 'number' || replicas < 0)
    throw invalid(r, ['spec.replicas: Invalid value: must be greater than or equal to 0']);
  const next = clone(entry.obj);
  (next.spec as JsonObject).replicas = replicas;
  return commit(store, { ...r, subresource: 'scale' }, entry, next, entry.obj);
}

function patch(store: ObjectStore, r: ResourceRequest, entry: Entry | undefined): ApiResponse {
  const type = r.contentType;
  if (type === 'application/apply-patch+yaml')
    return apply(store, r, entry, { create, commit, own, checkIdentity, asObject });
  if (type === 'application/strategic-merge-patch+json' && !r.type.builtin) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  }
  if (
    !['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'].includes(
      type,
    )
  ) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${r.type.builtin ? ', application/strategic-merge-patch+json' : ''}`,
    );
  }
  if (!entry) throw notFound(r);
  const base = r.subresource === 'scale' ? toScale(store, entry, r) : store.render(entry, r.version);
  delete (base.metadata as JsonObject).managedFields;
  let patched: Json;
  try {
    patched =
      type === 'application/json-patch+json'
        ? jsonPatch(base, r.body)
        : type === 'application/merge-patch+json'
          ? mergePatch(base, r.body ?? null)
          : strategicMerge(base, r.body ?? null);
  } catch (err) {
    if (err instanceof PatchError)
      throw new ApiError(err.code, err.code === 400 ? 'BadRequest' : 'Invalid', err.message);
    throw err;
  }
  if (!isObject(patched)) throw badRequest('the patch does not result in an object');
  if (r.subresource === 'scale') return scaleTo(store, r, entry, patched);
  const meta = checkIdentity(r, patched, r.name);
  // A resourceVersion inside the patch is an optimistic-concurrency precondition.
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== (entry.obj.metadata as JsonObject).resourceVersion)
    throw conflict(r);
  return commit(store, r, entry, patched, entry.obj);
}

function remove(store: ObjectStore, r: ResourceRequest, entry: Entry | undefined): ApiResponse {
  if (!entry) throw notFound(r);
  const pre = isObject(r.body) && isObject(r.body.preconditions) ? r.body.preconditions : {};
  const meta = entry.obj.metadata as JsonObject;
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedName(r.type)} "${r.name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
      details(r),
    );
  }
  if (pre.uid !== undefined && pre.uid !== meta.uid) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedName(r.type)} "${r.name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
      details(r),
    );
  }
  store.remove(entry, 'api');
  if (r.type.kind === 'Namespace') {
    for (const t of store.types.filter((x) => x.namespaced))
      for (const e of store.list(t, r.name)) store.remove(e, 'controller');
  }
  return {
    code: 200,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: details(r, { uid: meta.uid as string }),
    },
  };
}
