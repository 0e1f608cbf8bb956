/**
 * The four patch formats the kube-apiserver accepts, implemented from their specs:
 * RFC 7386 merge patch, RFC 6902 JSON patch, strategic merge patch (built-in types only; merge
 * keys from the Kubernetes API's patchMergeKey tags) and the apply merge used by server-side apply.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** A patch that could not be applied: `code` is the HTTP status the real server answers with. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422,
  ) {
    super(message);
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}

/** RFC 7386. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer '${pointer}'`, 422);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], op: string): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (next === undefined)
      throw new PatchError(`${op} operation does not apply: doc is missing path: /${tokens.join('/')}`, 422);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur))
    throw new PatchError(`${op} operation does not apply: /${tokens.join('/')}`, 422);
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function getAt(doc: Json, tokens: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const t of tokens) cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
  return cur;
}

/** RFC 6902; failures answer 422 like the real server (a failed `test` included). */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops))
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError('invalid JSON patch operation', 400);
    const tokens = decodePointer(raw.path);
    const op = raw.op;
    const value = raw.value;
    if (op === 'test') {
      if (!deepEqual(getAt(doc, tokens), value))
        throw new PatchError(`testing value /${tokens.join('/')} failed: test failed`, 422);
      continue;
    }
    if (op === 'move' || op === 'copy') {
      const from = decodePointer(String(raw.from ?? ''));
      const v = getAt(doc, from);
      if (v === undefined)
        throw new PatchError(`${op} operation does not apply: doc is missing from path: ${raw.from}`, 422);
      if (op === 'move') doc = removeAt(doc, from);
      doc = addAt(doc, tokens, clone(v), 'add');
      continue;
    }
    if (op === 'add') doc = addAt(doc, tokens, value, 'add');
    else if (op === 'replace') {
      if (getAt(doc, tokens) === undefined)
        throw new PatchError(`replace operation does not apply: doc is missing key: ${raw.path}`, 422);
      doc = addAt(doc, tokens, value, 'replace');
    } else if (op === 'remove') doc = removeAt(doc, tokens);
    else throw new PatchError(`Unexpected kind: ${op}`, 422);
  }
  return doc;
}

function addAt(doc: Json, tokens: string[], value: Json, op: 'add' | 'replace'): Json {
  if (!tokens.length) return clone(value);
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length)
      throw new PatchError(`${op} operation does not apply: index out of range: ${key}`, 422);
    if (op === 'add') parent.splice(i, 0, clone(value));
    else parent[i] = clone(value);
  } else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: Json, tokens: string[]): Json {
  const { parent, key } = parentOf(doc, tokens, 'remove');
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length))
      throw new PatchError(`remove operation does not apply: index out of range: ${key}`, 422);
    parent.splice(i, 1);
  } else {
    if (!(key in parent))
      throw new PatchError(`remove operation does not apply: doc is missing key: /${tokens.join('/')}`, 422);
    delete parent[key];
  }
  return doc;
}

/** patchMergeKey of the list fields of the built-in types this emulator serves. */
function mergeKeyFor(field: string, items: Json[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'envFrom':
      return field === 'envFrom' ? undefined : 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'conditions':
      return 'type';
    case 'ports':
      return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

/** Strategic merge patch: maps merge, keyed lists merge by their key, other lists are replaced; $patch directives honoured. */
export function strategicMerge(target: Json | undefined, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = mergeKeyFor(field, patch);
    if (!key || !Array.isArray(target)) return clone(patch.filter((p) => !(isObject(p) && p.$patch)));
    const result = clone(target);
    for (const item of patch) {
      if (!isObject(item)) continue;
      const at = result.findIndex((r) => isObject(r) && deepEqual(r[key], item[key]));
      if (item.$patch === 'delete') {
        if (at >= 0) result.splice(at, 1);
      } else if (at >= 0) result[at] = strategicMerge(result[at], item, '');
      else result.push(strategicMerge(undefined, item, ''));
    }
    return result;
  }
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _d, ...rest } = patch;
    return clone(rest);
  }
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete result[k];
    else result[k] = strategicMerge(result[k], v, k);
  }
  return result;
}

/** Leaf field paths of an applied configuration, as server-side apply tracks ownership (lists are atomic here). */
export function leafPaths(obj: Json, prefix: string[] = []): string[][] {
  if (!isObject(obj) || (prefix.length && !Object.keys(obj).length)) return [prefix];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (!prefix.length && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
    if (prefix.length === 1 && prefix[0] === 'metadata' && !['labels', 'annotations'].includes(k)) continue;
    out.push(...leafPaths(v, [...prefix, k]));
  }
  return out;
}

export function valueAt(obj: Json, path: string[]): Json | undefined {
  return getAt(obj, path);
}

export function deleteAt(obj: Json, path: string[]): void {
  let cur: Json | undefined = obj;
  for (const p of path.slice(0, -1)) cur = isObject(cur) ? cur[p] : undefined;
  if (isObject(cur)) delete cur[path[path.length - 1]];
}

/** fieldsV1 as the server renders managedFields: {"f:spec":{"f:replicas":{}}}. */
export function fieldsV1(paths: string[][]): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let cur = root;
    for (const p of path) cur = (cur[`f:${p}`] ??= {}) as JsonObject;
  }
  return root;
}
