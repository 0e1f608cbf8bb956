import * as http from 'node:http';
import { JsonObject } from './patch';
import { ResourceType, discoveryEntry, matchesSelector, parseLabelSelector } from './resources';
import { ObjectStore } from './store';

export interface Routed {
  type?: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Discovery documents (/api, /apis, /apis/{group}/{version}, /version) answered as-is. */
  discovery?: JsonObject;
}

/** Maps a request path to a resource (and namespace, name, subresource), the way the API server's REST mapper does. */
export function routePath(store: ObjectStore, pathname: string): Routed {
  const seg = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (seg[0] === 'version' && seg.length === 1)
    return { version: '', discovery: { major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' } };
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api') {
    if (seg.length === 1)
      return { version: '', discovery: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] } };
    [group, version, rest] = ['', seg[1], seg.slice(2)];
  } else if (seg[0] === 'apis') {
    const groups = [...new Set(store.types.filter((t) => t.group).map((t) => t.group))];
    const groupInfo = (g: string): JsonObject => {
      const versions = [...new Set(store.types.filter((t) => t.group === g).flatMap((t) => t.versions))].map((v) => ({
        groupVersion: `${g}/${v}`,
        version: v,
      }));
      return { name: g, versions, preferredVersion: versions[0] };
    };
    if (seg.length === 1)
      return { version: '', discovery: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupInfo) } };
    if (seg.length === 2)
      return {
        version: '',
        discovery: groups.includes(seg[1]) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupInfo(seg[1]) } : undefined,
      };
    [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
  } else return { version: '' };
  const inVersion = store.types.filter((t) => t.group === group && t.versions.includes(version));
  if (!rest.length) {
    if (!inVersion.length) return { version };
    const resources = inVersion.flatMap((t) => [
      discoveryEntry(t),
      ...(t.status
        ? [
            {
              name: `${t.plural}/status`,
              singularName: '',
              namespaced: t.namespaced,
              kind: t.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
      ...(t.scale
        ? [
            {
              name: `${t.plural}/scale`,
              singularName: '',
              namespaced: t.namespaced,
              group: 'autoscaling',
              version: 'v1',
              kind: 'Scale',
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]);
    return {
      version,
      discovery: {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources,
      },
    };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3 && store.typeFor(group, version, rest[2])?.namespaced) {
    return {
      type: store.typeFor(group, version, rest[2]),
      version,
      namespace: rest[1],
      name: rest[3],
      subresource: rest[4],
    };
  }
  const t = store.typeFor(group, version, rest[0]);
  if (t?.namespaced && rest.length > 1) return { version };
  return { type: t, version, name: rest[1], subresource: rest[2] };
}

/** Watch: existing objects as ADDED (unless resourceVersion is given), then every change, one JSON event per line. */
export function serveWatch(
  store: ObjectStore,
  watches: Set<http.ServerResponse>,
  res: http.ServerResponse,
  t: ResourceType,
  version: string,
  ns: string | undefined,
  q: URLSearchParams,
): void {
  const selector = parseLabelSelector(q.get('labelSelector') ?? '');
  const reqs = typeof selector === 'string' ? [] : selector;
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  watches.add(res);
  const emit = (type: string, object: JsonObject): void => void res.write(`${JSON.stringify({ type, object })}\n`);
  if (!q.get('resourceVersion'))
    for (const e of store.list(t, ns).filter((x) => matchesSelector(reqs, x.obj)))
      emit('ADDED', store.render(e, version));
  const off = store.on((e) => {
    const meta = e.object.metadata as JsonObject;
    if (
      e.resource.group !== t.group ||
      e.resource.plural !== t.plural ||
      (ns && meta.namespace !== ns) ||
      !matchesSelector(reqs, e.object)
    )
      return;
    emit(e.type, { ...e.object, apiVersion: t.group ? `${t.group}/${version}` : version });
  });
  const stop = (): void => {
    off();
    watches.delete(res);
    res.end();
  };
  res.on('close', stop);
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  if (timeout > 0) setTimeout(stop, timeout * 1000).unref();
}
