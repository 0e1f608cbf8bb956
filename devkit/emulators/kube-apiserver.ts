/**
 * kube-apiserver emulator: the REST API of a Kubernetes cluster over HTTPS (test CA) with bearer-token
 * auth, for driving @kubernetes/client-node (and so the tasks) without a cluster.
 *
 * Wire behaviour (as the real server, see kubernetes.io/docs/reference/using-api/api-concepts):
 * - Paths: /api/v1/[namespaces/{ns}/]{plural}[/{name}[/{sub}]], /apis/{group}/{version}/…; discovery at
 *   /api, /api/v1, /apis, /apis/{group}/{version}; /version. Built in: namespaces, services, secrets,
 *   configmaps, pods, serviceaccounts; apps/v1 deployments (+/scale, /status), replicasets;
 *   networking.k8s.io/v1 ingresses; CRs gateway.networking.k8s.io/{v1,v1beta1} httproutes, gateways;
 *   networking.istio.io/{v1,v1beta1,v1alpha3} virtualservices, destinationrules; database.oracle.com/{v4,v1alpha1}
 *   autonomousdatabases. More with `register({group, versions, kind, plural, namespaced, status})`.
 * - Verbs: list (labelSelector, fieldSelector metadata.name/namespace, watch=true streaming), get, create
 *   (201; 409 AlreadyExists; 404 when the namespace is missing; generateName), update (409 Conflict on a stale
 *   metadata.resourceVersion; custom resources require one), patch by Content-Type:
 *   application/merge-patch+json, application/json-patch+json (failed `test` → 422),
 *   application/strategic-merge-patch+json (415 for custom resources), application/apply-patch+yaml
 *   (server-side apply: fieldManager required, field-ownership conflicts → 409 unless force=true,
 *   managedFields rendered); delete (Status Success, preconditions). Errors are metav1.Status objects.
 * - metadata: uid, resourceVersion (global counter), generation (bumped on spec changes only),
 *   creationTimestamp; status is only writable through /status for types with a status subresource;
 *   no-op writes keep the resourceVersion. 422 validation for Deployment selector/template, labels, Secret data.
 * - Deployments: a simulated controller sets status (observedGeneration, replicas, updated/ready/available,
 *   conditions Available/Progressing) after each new generation: `setRolloutBehavior({outcome, delayMs}, ns?, name?)`
 *   with outcome available | progressDeadlineExceeded | stuck.
 *
 * Test API:
 *   const kube = await KubeApiServer.start({ rollout?, namespaces? });   // 'default' namespace always exists
 *   kube.endpoint() / kube.serviceAccountEndpoint() → Endpoint for runTaskLikeAgent / RecordingHost
 *   kube.kubeconfig() → kubeconfig YAML (CA data, bearer token); kube.url, kube.token, kube.ca
 *   kube.seed(obj…), kube.get(apiVersion, kind, ns, name), kube.list(apiVersion, kind, ns?), kube.delete(…)
 *   kube.setStatus(apiVersion, kind, ns, name, status) — script CR status; kube.onChange(listener) — react to writes
 *   kube.addController(apiVersion, kind, (obj, event) => newStatus | undefined, { delayMs }) — an operator's reconcile
 *   kube.register({ group, versions, kind, plural, namespaced, status }) — more CRDs (or fewer versions, as an older cluster)
 *   kube.injectFault({ status: 403|409|429|500|503, count?, method?, path?, retryAfterSeconds?, skip? }) — the next
 *     matching requests (after `skip` of them) fail (a 409 also moves the object's resourceVersion, like a concurrent
 *     writer); kube.clearFaults() drops the ones left
 *   kube.requests — log of {method, path, query, contentType, body, status, manager}; kube.writes() = non-GET ones
 *   await kube.close()
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import YAML from 'yaml';
import type { Endpoint } from '../agent/agent-run';
import { issueCert } from '../support/test-ca';
import { DeploymentController, RolloutBehavior } from './kube/deployment-controller';
import { ApiError, handleResource, statusBody } from './kube/handlers';
import { Json, JsonObject, clone } from './kube/patch';
import { ResourceType } from './kube/resources';
import { routePath, serveWatch } from './kube/routing';
import { ObjectStore, StoreEvent } from './kube/store';
import { Fault, failRequest } from './kube/faults';

export type { Fault } from './kube/faults';

export type { RolloutBehavior } from './kube/deployment-controller';
export type { ResourceType } from './kube/resources';
export type { StoreEvent } from './kube/store';

export interface KubeApiServerOptions {
  token?: string;
  rollout?: RolloutBehavior;
  namespaces?: string[];
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: unknown;
  status: number;
  manager?: string;
}

export class KubeApiServer {
  readonly store = new ObjectStore();
  readonly requests: RequestLogEntry[] = [];
  readonly controller: DeploymentController;
  private readonly faults: (Fault & { left: number })[] = [];

  /** Drops the faults not yet used up (a test's "the cluster is reachable again"). */
  clearFaults(): void {
    this.faults.length = 0;
  }
  private readonly watches = new Set<http.ServerResponse>();
  private readonly stoppers: (() => void)[] = [];
  url = '';

  private constructor(
    private readonly server: https.Server,
    readonly token: string,
    readonly ca: string,
    opts: KubeApiServerOptions,
  ) {
    this.controller = new DeploymentController(this.store, opts.rollout ?? { outcome: 'available', delayMs: 30 });
    for (const ns of ['default', 'kube-system', ...(opts.namespaces ?? [])])
      this.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  static async start(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const cert = issueCert();
    // eslint-disable-next-line prefer-const -- assigned once, after the server whose handler closes over it
    let self!: KubeApiServer;
    const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => void self.handle(req, res));
    self = new KubeApiServer(
      server,
      opts.token ?? `emulator-token-${Math.random().toString(36).slice(2)}`,
      cert.ca,
      opts,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return self;
  }

  register(t: ResourceType): void {
    this.store.register(t);
  }

  private typeOf(apiVersion: string, kind: string): ResourceType {
    const t = this.store.typeForKind(apiVersion, kind);
    if (!t) throw new Error(`kube emulator: ${apiVersion} ${kind} is not registered`);
    return t;
  }

  /** Creates objects directly (no request logged), as if they existed before the test. */
  seed(...objs: JsonObject[]): void {
    for (const o of objs) {
      const t = this.typeOf(o.apiVersion as string, o.kind as string);
      const obj = clone(o);
      const meta = obj.metadata as JsonObject;
      if (t.namespaced) meta.namespace ??= 'default';
      delete meta.managedFields;
      const existing = this.store.get(t, meta.namespace as string, meta.name as string);
      const strip = (x: JsonObject): string =>
        JSON.stringify({ ...x, metadata: undefined, status: undefined, apiVersion: undefined });
      if (existing) this.store.update(existing, obj, strip(existing.obj) !== strip(obj), 'test');
      else this.store.create(t, obj, 'test');
    }
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const t = this.typeOf(apiVersion, kind);
    const e = this.store.get(t, namespace, name);
    return e ? this.store.render(e, apiVersion.split('/').pop() as string) : undefined;
  }

  list(apiVersion: string, kind: string, namespace?: string): JsonObject[] {
    const t = this.typeOf(apiVersion, kind);
    return this.store.list(t, namespace).map((e) => this.store.render(e, apiVersion.split('/').pop() as string));
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const t = this.typeOf(apiVersion, kind);
    const e = this.store.get(t, namespace, name);
    if (e) this.store.remove(e, 'test');
  }

  /** Scripts an object's status (what an operator or controller would write). */
  setStatus(apiVersion: string, kind: string, namespace: string | undefined, name: string, status: Json): void {
    const t = this.typeOf(apiVersion, kind);
    const e = this.store.get(t, namespace, name);
    if (!e) throw new Error(`kube emulator: ${kind} ${namespace}/${name} does not exist`);
    this.store.update(e, { ...clone(e.obj), status: clone(status) }, false, 'test');
  }

  onChange(listener: (e: StoreEvent) => void): () => void {
    return this.store.on(listener);
  }

  /**
   * A scripted controller for a kind (an operator's reconcile loop): after each client write to an object
   * of that kind, `reconcile` gets the object and returns its new status (or undefined: no change),
   * applied after `delayMs`. Returns a function that removes the controller.
   */
  addController(
    apiVersion: string,
    kind: string,
    reconcile: (obj: JsonObject, event: StoreEvent['type']) => Json | undefined,
    opts: { delayMs?: number } = {},
  ): () => void {
    const t = this.typeOf(apiVersion, kind);
    const timers = new Set<NodeJS.Timeout>();
    const off = this.store.on((e) => {
      if (e.source !== 'api' || e.type === 'DELETED' || e.resource.group !== t.group || e.resource.plural !== t.plural)
        return;
      const meta = e.object.metadata as JsonObject;
      const timer = setTimeout(() => {
        timers.delete(timer);
        const entry = this.store.get(t, meta.namespace as string | undefined, meta.name as string);
        if (!entry) return;
        const status = reconcile(this.store.render(entry, apiVersion.split('/').pop() as string), e.type);
        if (status !== undefined)
          this.store.update(entry, { ...clone(entry.obj), status: clone(status) }, false, 'controller');
      }, opts.delayMs ?? 0);
      timers.add(timer);
    });
    const stop = (): void => {
      off();
      for (const timer of timers) clearTimeout(timer);
    };
    this.stoppers.push(stop);
    return stop;
  }

  setRolloutBehavior(behavior: RolloutBehavior, namespace?: string, name?: string): void {
    this.controller.setBehavior(behavior, namespace, name);
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.count ?? 1, skip: fault.skip ?? 0 });
  }

  writes(): RequestLogEntry[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  kubeconfig(opts: { token?: string } = {}): string {
    return YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'emulator',
      clusters: [
        {
          name: 'emulator',
          cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca).toString('base64') },
        },
      ],
      users: [{ name: 'ci', user: { token: opts.token ?? this.token } }],
      contexts: [{ name: 'emulator', context: { cluster: 'emulator', user: 'ci', namespace: 'default' } }],
    });
  }

  /** A Kubeconfig-authorized Kubernetes service connection, as the agent passes it to a task. */
  endpoint(opts: { token?: string } = {}): Endpoint {
    return {
      url: this.url,
      scheme: 'Kubernetes',
      auth: { kubeconfig: this.kubeconfig(opts) },
      data: { authorizationType: 'Kubeconfig' },
    };
  }

  /** A Service Account-authorized connection: the token base64-encoded as in a Secret. */
  serviceAccountEndpoint(): Endpoint {
    return {
      url: this.url,
      scheme: 'Token',
      auth: {
        apiToken: Buffer.from(this.token).toString('base64'),
        serviceAccountCertificate: Buffer.from(this.ca).toString('base64'),
      },
      data: { authorizationType: 'ServiceAccount' },
    };
  }

  async close(): Promise<void> {
    this.controller.stop();
    for (const stop of this.stoppers) stop();
    for (const w of this.watches) w.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): number {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    return code;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let body: Json | undefined;
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: contentType || undefined,
      status: 0,
    };
    this.requests.push(entry);
    try {
      if (raw) body = contentType.includes('yaml') ? (YAML.parse(raw) as Json) : (JSON.parse(raw) as Json);
      entry.body = body;
    } catch {
      entry.status = this.send(res, 400, statusBody(400, 'BadRequest', 'the request body could not be decoded'));
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      entry.status = this.send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        (f.method ? [f.method].flat().includes(method) : method !== 'GET') &&
        (!f.path || (typeof f.path === 'string' ? url.pathname.includes(f.path) : f.path.test(url.pathname))),
    );
    if (fault && fault.skip! > 0) fault.skip!--;
    else if (fault) {
      fault.left--;
      entry.status = failRequest(this.store, res, fault, url.pathname, method);
      return;
    }
    const manager =
      url.searchParams.get('fieldManager') ??
      (String(req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown');
    entry.manager = manager;
    try {
      const routed = routePath(this.store, url.pathname);
      if (!routed.type) {
        entry.status = routed.discovery
          ? this.send(res, 200, routed.discovery)
          : this.send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
        return;
      }
      if (method === 'GET' && !routed.name && url.searchParams.get('watch') === 'true') {
        entry.status = 200;
        serveWatch(this.store, this.watches, res, routed.type, routed.version, routed.namespace, url.searchParams);
        return;
      }
      const out = handleResource(this.store, {
        method,
        type: routed.type,
        version: routed.version,
        namespace: routed.namespace,
        name: routed.name,
        subresource: routed.subresource,
        query: url.searchParams,
        contentType,
        body,
        manager,
      });
      entry.status = this.send(res, out.code, out.body);
    } catch (err) {
      if (err instanceof ApiError)
        entry.status = this.send(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
      else
        entry.status = this.send(
          res,
          500,
          statusBody(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`),
        );
    }
  }
}
