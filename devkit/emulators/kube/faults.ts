import * as http from 'node:http';
import { statusBody } from './errors';
import { routePath } from './routing';
import { ObjectStore } from './store';

export interface Fault {
  /** 403 answers like RBAC denying the verb to the service account `user` (default system:serviceaccount:ci:deployer). */
  status: 403 | 409 | 429 | 500 | 503;
  user?: string;
  count?: number;
  /** Defaults to every write method (POST, PUT, PATCH, DELETE). */
  method?: string | string[];
  path?: RegExp | string;
  retryAfterSeconds?: number;
  /** Lets this many matching requests through first: a crash at the (skip+1)-th write of a run. */
  skip?: number;
}

function send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): number {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
  return code;
}

/** Answers a request with an injected failure, worded as the real server words it. */
export function failRequest(
  store: ObjectStore,
  res: http.ServerResponse,
  fault: Fault,
  pathname: string,
  method: string,
): number {
  if (fault.status === 403) {
    const r = routePath(store, pathname);
    const verb =
      { GET: r.name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ??
      method.toLowerCase();
    const resource = r.type
      ? `${r.type.group ? `${r.type.plural}.${r.type.group}` : r.type.plural}${r.name ? ` "${r.name}"` : ''}`
      : 'resource';
    const message = `${resource} is forbidden: User "${fault.user ?? 'system:serviceaccount:ci:deployer'}" cannot ${verb} resource "${r.type?.plural ?? ''}" in API group "${r.type?.group ?? ''}" in the namespace "${r.namespace ?? ''}"`;
    return send(
      res,
      403,
      statusBody(
        403,
        'Forbidden',
        message,
        r.type ? { name: r.name ?? '', group: r.type.group, kind: r.type.plural } : undefined,
      ),
    );
  }
  if (fault.status === 409) {
    // Someone else wrote the object: its resourceVersion moves, so a blind retry fails again.
    const r = routePath(store, pathname);
    const e = r.type && r.name ? store.get(r.type, r.namespace, r.name) : undefined;
    if (e) store.touch(e);
    const what = r.type ? `${r.type.group ? `${r.type.plural}.${r.type.group}` : r.type.plural} "${r.name}"` : 'object';
    return send(
      res,
      409,
      statusBody(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again`,
        r.type ? { name: r.name ?? '', kind: r.type.plural } : undefined,
      ),
    );
  }
  const headers: Record<string, string> =
    fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
  if (fault.status === 429)
    return send(
      res,
      429,
      statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', {
        retryAfterSeconds: fault.retryAfterSeconds ?? 1,
      }),
      headers,
    );
  return send(
    res,
    fault.status,
    statusBody(
      fault.status,
      fault.status === 503 ? 'ServiceUnavailable' : 'InternalError',
      'Internal error occurred: injected fault',
    ),
    headers,
  );
}
