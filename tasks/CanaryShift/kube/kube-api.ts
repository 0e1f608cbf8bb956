import { CoreV1Api, CustomObjectsApi, KubeConfig, V1Service, setHeaderOptions } from '@kubernetes/client-node';
import { errorMessage } from '../../common/errors';
import { networkErrorCode } from '../../common/http';
import { DEFAULT_RETRY_POLICY, RetryPolicy, decideRetry } from '../../common/retry-policy';
import { sleep } from '../../common/sleep';

export type Kind = 'Deployment' | 'Service' | 'Ingress' | 'HTTPRoute' | 'VirtualService';
export type PatchType = 'merge' | 'json' | 'strategic';

/** Objects travel as plain JSON: the routers and the plan only need a few fields of each. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; generation?: number; uid?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
}

/** The operations the task performs on one namespace: read, create, patch, delete. */
export interface KubeApi {
  readonly namespace: string;
  /** Cluster server URL, for the record's target (never carries credentials). */
  readonly server: string;
  get(kind: Kind, name: string): Promise<KubeObject | undefined>;
  create(kind: Kind, obj: KubeObject): Promise<KubeObject>;
  patch(kind: Kind, name: string, body: unknown, type: PatchType): Promise<KubeObject>;
  /** True when something was deleted, false when it was already gone. */
  remove(kind: Kind, name: string): Promise<boolean>;
}

/** An API answer that is not a success, with the Status' reason and message. */
export class KubeError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly retryAfter?: string) {
    super(message);
    this.name = 'KubeError';
  }
}

export const CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * Kinds read and written as raw JSON through the generic object endpoints (same REST paths): typed
 * models drop fields this client version does not know, and a promotion must not lose any of the
 * pod spec. Custom resources list their versions newest first; older clusters (Istio < 1.22,
 * Gateway API < 1.0) serve only the older ones.
 */
const RAW: Partial<Record<Kind, { group: string; plural: string; versions: string[] }>> = {
  Deployment: { group: 'apps', plural: 'deployments', versions: ['v1'] },
  Ingress: { group: 'networking.k8s.io', plural: 'ingresses', versions: ['v1'] },
  HTTPRoute: { group: 'gateway.networking.k8s.io', plural: 'httproutes', versions: ['v1', 'v1beta1'] },
  VirtualService: { group: 'networking.istio.io', plural: 'virtualservices', versions: ['v1', 'v1beta1'] },
};

function toKubeError(err: unknown): unknown {
  if (err instanceof KubeError) return err;
  const e = err as { code?: unknown; body?: unknown; headers?: Record<string, string> };
  if (typeof e?.code !== 'number') return err;
  let reason = 'Unknown';
  let message = `HTTP ${e.code}`;
  try {
    const status = JSON.parse(String(e.body)) as { reason?: string; message?: string };
    reason = status.reason ?? reason;
    message = status.message ?? message;
  } catch {
    if (e.code === 401) [reason, message] = ['Unauthorized', 'Unauthorized'];
  }
  return new KubeError(e.code, reason, message, e.headers?.['retry-after']);
}

/** Typed results hold Dates and class instances: the task works on their JSON form. */
function plain<T>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export interface KubeApiOptions {
  namespace: string;
  signal: AbortSignal;
  deadline: number;
  log: (message: string) => void;
  policy?: RetryPolicy;
}

/** client-node does not retry: throttling, 5xx and resets are retried here with the shared policy, bounded by the deadline. */
export async function createKubeApi(kc: KubeConfig, opts: KubeApiOptions): Promise<KubeApi> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const namespace = opts.namespace;
  const policy = opts.policy ?? { ...DEFAULT_RETRY_POLICY, baseDelayMs: 250 };
  const served = new Map<Kind, string>();
  const header = (type: PatchType): ReturnType<typeof setHeaderOptions> => setHeaderOptions('Content-Type', CONTENT_TYPES[type]);

  async function call<T>(what: string, idempotent: boolean, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (raw) {
        const err = toKubeError(raw);
        if (opts.signal.aborted) throw opts.signal.reason ?? err;
        const code = err instanceof KubeError ? undefined : networkErrorCode(err);
        if (!(err instanceof KubeError) && !code) throw err;
        const outcome = err instanceof KubeError ? { status: err.code, retryAfter: err.retryAfter } : { errorCode: code as string };
        const decision = decideRetry(outcome, attempt, { idempotent, remainingMs: opts.deadline - Date.now(), nowMs: Date.now(), policy, random: Math.random });
        if (!decision.retry) throw err;
        opts.log(`${what}: ${decision.reason}; retry ${attempt} in ${decision.delayMs} ms`);
        await sleep(decision.delayMs, opts.signal);
      }
    }
  }

  /** Runs a raw-object call on the first API version the cluster serves. */
  async function onRaw<T>(kind: Kind, fn: (c: { group: string; plural: string; version: string }) => Promise<T>): Promise<T> {
    const def = RAW[kind]!;
    const versions = served.has(kind) ? [served.get(kind)!] : def.versions;
    for (const [i, version] of versions.entries()) {
      try {
        const out = await fn({ group: def.group, plural: def.plural, version });
        served.set(kind, version);
        return out;
      } catch (raw) {
        const err = toKubeError(raw);
        // A 404 without an object name means the resource type itself is not served in this version.
        const typeMissing = err instanceof KubeError && err.code === 404 && /could not find the requested resource/.test(err.message);
        if (!typeMissing) {
          served.set(kind, version);
          throw err;
        }
        if (i === versions.length - 1) throw new KubeError(404, 'NotFound', `the cluster serves no ${def.plural}.${def.group} API (tried ${def.versions.join(', ')}); is ${kind === 'HTTPRoute' ? 'Gateway API' : 'Istio'} installed?`);
      }
    }
    throw new Error('unreachable');
  }

  // Services are only read for their selector and ports, and created whole: the typed API is enough.
  const ops = {
    get: async (kind: Kind, name: string): Promise<unknown> => {
      if (kind === 'Service') return core.readNamespacedService({ name, namespace });
      return onRaw(kind, (c) => custom.getNamespacedCustomObject({ ...c, namespace, name }));
    },
    create: async (kind: Kind, body: KubeObject): Promise<unknown> => {
      if (kind === 'Service') return core.createNamespacedService({ namespace, body: body as V1Service });
      return onRaw(kind, (c) => custom.createNamespacedCustomObject({ ...c, namespace, body: { ...body, apiVersion: c.group ? `${c.group}/${c.version}` : c.version } }));
    },
    patch: async (kind: Kind, name: string, body: unknown, type: PatchType): Promise<unknown> => {
      // Custom resources accept no strategic merge patch (415): callers send merge or JSON patch for them.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = body as any;
      if (kind === 'Service') return core.patchNamespacedService({ name, namespace, body: b }, header(type));
      return onRaw(kind, (c) => custom.patchNamespacedCustomObject({ ...c, namespace, name, body: b }, header(type)));
    },
    remove: async (kind: Kind, name: string): Promise<unknown> => {
      if (kind === 'Service') return core.deleteNamespacedService({ name, namespace });
      return onRaw(kind, (c) => custom.deleteNamespacedCustomObject({ ...c, namespace, name, propagationPolicy: 'Background' }));
    },
  };

  return {
    namespace,
    server: kc.getCurrentCluster()?.server ?? '',
    async get(kind, name) {
      try {
        return plain<KubeObject>(await call(`GET ${kind} ${name}`, true, () => ops.get(kind, name)));
      } catch (err) {
        if (err instanceof KubeError && err.code === 404 && err.reason === 'NotFound' && !/serves no/.test(err.message)) return undefined;
        throw err;
      }
    },
    async create(kind, obj) {
      return plain<KubeObject>(await call(`POST ${kind} ${obj.metadata.name}`, false, () => ops.create(kind, obj)));
    },
    async patch(kind, name, body, type) {
      // A patch carrying a resourceVersion precondition (or a JSON patch test) is safe to repeat.
      return plain<KubeObject>(await call(`PATCH ${kind} ${name}`, true, () => ops.patch(kind, name, body, type)));
    },
    async remove(kind, name) {
      try {
        await call(`DELETE ${kind} ${name}`, true, () => ops.remove(kind, name));
        return true;
      } catch (err) {
        if (err instanceof KubeError && err.code === 404) return false;
        throw err;
      }
    },
  };
}

/** What the API said, and for the errors users fix themselves, how. */
export function describeKubeError(err: unknown): string {
  if (!(err instanceof KubeError)) return errorMessage(err);
  const hint = err.code === 401
    ? ' The cluster rejected the credentials: renew the token or kubeconfig of the Kubernetes service connection.'
    : err.code === 403
      ? ' Grant the connection\'s identity get, list, create, patch and delete on deployments (apps), services, and the route kind in this namespace (Role + RoleBinding).'
      : '';
  return `${err.message} (HTTP ${err.code} ${err.reason}).${hint}`;
}
