import {
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { RetryPolicy, DEFAULT_RETRY_POLICY } from '../retry-policy';
import { retrying } from '../retrying';
import { KubeError, kubeOutcome, toKubeError } from './errors';
import { CONTENT_TYPES, KubeObject, PatchType, ResourceType } from './types';

/*
 * Only executors import this module (index.js must not load client-node): the named static import
 * lets esbuild drop the API groups and models a task does not use.
 */

/** The operations a task performs in one namespace, on the resource types it names. */
export interface KubeClient<K extends string = string> {
  readonly namespace: string;
  /** Cluster server URL, for records and messages (never carries credentials). */
  readonly server: string;
  get(kind: K, name: string): Promise<KubeObject | undefined>;
  create(kind: K, obj: KubeObject): Promise<KubeObject>;
  patch(kind: K, name: string, body: unknown, type: PatchType): Promise<KubeObject>;
  /** True when something was deleted, false when it was already gone. */
  remove(kind: K, name: string): Promise<boolean>;
}

export interface KubeClientOptions<K extends string> {
  namespace: string;
  types: Record<K, ResourceType>;
  signal: AbortSignal;
  deadline: number;
  log?: (message: string) => void;
  policy?: RetryPolicy;
  /** Sent with every write; required by server-side apply (patch type 'apply'), which then forces ownership. */
  fieldManager?: string;
}

/** Typed results hold Dates and class instances: tasks work on their JSON form. */
function plain<T>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * Core kinds (services, secrets) go through the generic KubernetesObjectApi, which knows the /api/v1
 * paths; it is far smaller in a bundle than the typed CoreV1Api. It finds the path from apiVersion,
 * kind and metadata, so a core patch body is a (merge or apply) object carrying them.
 */
function coreOps(objects: KubernetesObjectApi, kind: string, namespace: string) {
  const ref = (name: string) => ({ apiVersion: 'v1', kind, metadata: { name, namespace } });
  return {
    get: (name: string) => objects.read(ref(name)),
    create: (body: KubeObject, fieldManager?: string) =>
      objects.create(
        { ...body, ...ref(body.metadata.name), metadata: { ...body.metadata, namespace } },
        undefined,
        undefined,
        fieldManager,
      ),
    patch: (name: string, body: unknown, type: PatchType, fieldManager?: string) => {
      if (Array.isArray(body) || !body || typeof body !== 'object')
        throw new Error(`core ${kind} patches must be objects (merge, strategic or apply)`);
      const b = body as KubeObject;
      const spec = { ...b, ...ref(name), metadata: { ...(b.metadata ?? {}), name, namespace } };
      return objects.patch(
        spec,
        undefined,
        undefined,
        fieldManager,
        type === 'apply' ? true : undefined,
        CONTENT_TYPES[type] as PatchStrategy,
      );
    },
    remove: (name: string) => objects.delete(ref(name)),
  };
}

/**
 * client-node does not retry: throttling, 5xx and resets are retried here with the shared loop,
 * bounded by the deadline; a create (POST) is never repeated after a possible send.
 */
export function createKubeClient<K extends string>(kc: KubeConfig, opts: KubeClientOptions<K>): KubeClient<K> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const { namespace } = opts;
  const authHint = (kc as { authHint?: string }).authHint;
  const policy = opts.policy ?? { ...DEFAULT_RETRY_POLICY, baseDelayMs: 250 };
  const served = new Map<K, string>();
  const header = (type: PatchType): ReturnType<typeof setHeaderOptions> =>
    setHeaderOptions('Content-Type', CONTENT_TYPES[type]);
  const extra = (type?: PatchType): { fieldManager?: string; force?: boolean } => ({
    fieldManager: opts.fieldManager,
    // Server-side apply as our field manager takes over fields another manager (kubectl) set.
    ...(type === 'apply' ? { force: true } : {}),
  });

  const call = <T>(what: string, idempotent: boolean, fn: () => Promise<T>): Promise<T> =>
    retrying(
      async () => {
        try {
          return await fn();
        } catch (err) {
          const e = toKubeError(err);
          // "Unauthorized" alone does not say which credentials: name them (connections/kube-config.ts).
          if (e instanceof KubeError && e.code === 401 && authHint && !e.message.includes(authHint))
            throw new KubeError(401, e.reason, `${e.message}: the cluster refused ${authHint}`, e.retryAfter);
          throw e;
        }
      },
      { what, idempotent, errorOutcome: kubeOutcome },
      { signal: opts.signal, deadline: opts.deadline, policy, log: opts.log },
    );

  /** Runs a raw-object call on the first API version the cluster serves. */
  async function onRaw<T>(
    kind: K,
    fn: (c: { group: string; plural: string; version: string }) => Promise<T>,
  ): Promise<T> {
    const def = opts.types[kind];
    const versions = served.has(kind) ? [served.get(kind)!] : def.versions;
    for (const [i, version] of versions.entries()) {
      try {
        const out = await fn({ group: def.group, plural: def.plural, version });
        served.set(kind, version);
        return out;
      } catch (raw) {
        const err = toKubeError(raw);
        // A 404 without an object name means the resource type itself is not served in this version.
        const typeMissing =
          err instanceof KubeError && err.code === 404 && /could not find the requested resource/.test(err.message);
        if (!typeMissing) {
          served.set(kind, version);
          throw err;
        }
        if (i === versions.length - 1) {
          const hint = def.missing ? `; is ${def.missing} installed?` : '';
          throw new KubeError(
            404,
            'NotFound',
            `the cluster serves no ${def.plural}.${def.group} API (tried ${def.versions.join(', ')})${hint}`,
          );
        }
      }
    }
    throw new Error('unreachable');
  }

  const isCore = (kind: K): boolean => opts.types[kind].group === '';
  const core = (kind: K): ReturnType<typeof coreOps> => coreOps(objects, kind, namespace);
  const ops = {
    get: async (kind: K, name: string): Promise<unknown> => {
      if (isCore(kind)) return core(kind).get(name);
      return onRaw(kind, (c) => custom.getNamespacedCustomObject({ ...c, namespace, name }));
    },
    create: async (kind: K, body: KubeObject): Promise<unknown> => {
      if (isCore(kind)) return core(kind).create(body, opts.fieldManager);
      return onRaw(kind, (c) =>
        custom.createNamespacedCustomObject({
          ...c,
          namespace,
          body: { ...body, apiVersion: c.group ? `${c.group}/${c.version}` : c.version },
          ...extra(),
        }),
      );
    },
    patch: async (kind: K, name: string, body: unknown, type: PatchType): Promise<unknown> => {
      // Custom resources accept no strategic merge patch (415): callers send merge, JSON patch or apply for them.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = body as any;
      if (isCore(kind)) return core(kind).patch(name, b, type, opts.fieldManager);
      return onRaw(kind, (c) => {
        const versioned = type === 'apply' ? { ...b, apiVersion: `${c.group}/${c.version}` } : b;
        return custom.patchNamespacedCustomObject(
          { ...c, namespace, name, body: versioned, ...extra(type) },
          header(type),
        );
      });
    },
    remove: async (kind: K, name: string): Promise<unknown> => {
      if (isCore(kind)) return core(kind).remove(name);
      return onRaw(kind, (c) =>
        custom.deleteNamespacedCustomObject({ ...c, namespace, name, propagationPolicy: 'Background' }),
      );
    },
  };

  return {
    namespace,
    server: kc.getCurrentCluster()?.server ?? '',
    async get(kind, name) {
      try {
        return plain<KubeObject>(await call(`GET ${kind} ${name}`, true, () => ops.get(kind, name)));
      } catch (err) {
        if (err instanceof KubeError && err.code === 404 && err.reason === 'NotFound' && !/serves no/.test(err.message))
          return undefined;
        throw err;
      }
    },
    async create(kind, obj) {
      return plain<KubeObject>(await call(`POST ${kind} ${obj.metadata.name}`, false, () => ops.create(kind, obj)));
    },
    async patch(kind, name, body, type) {
      // A patch carrying a resourceVersion precondition (or a JSON patch test), or an apply, is safe to repeat.
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
