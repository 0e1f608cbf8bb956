import * as fs from 'node:fs';
import { processTempDir } from '../support/process-temp';
import { runTask } from '../../tasks/common/runner';
import { definition } from '../../tasks/CanaryShift/definition';
import { executeCanaryShift } from '../../tasks/CanaryShift/execute';
import { Endpoint } from '../agent/agent-run';
import { RecordingHost } from '../agent/recording-host';
import { KubeApiServer } from '../emulators/kube-apiserver';
import { JsonObject } from '../emulators/kube/patch';

export const NS = 'shop';
export const STABLE_IMAGE = 'shop.azurecr.io/web@sha256:' + 'a'.repeat(64);
export const CANARY_IMAGE = 'shop.azurecr.io/web@sha256:' + 'b'.repeat(64);

/** The inputs of a CanaryShift run on the seeded app through the Gateway API route, as the packaged tests give them. */
export const CANARY_RUN = {
  kubernetesServiceConnection: 'k8s',
  namespace: NS,
  action: 'run',
  deployment: 'web',
  service: 'web',
  trafficRouter: 'gatewayApi',
  route: 'web',
  image: CANARY_IMAGE,
} as const;

/** A typical app: Deployment web (3 replicas, app=web), Service web, and one route of each kind in front of it. */
export function seedApp(kube: KubeApiServer): void {
  kube.seed(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        // workloadRef stands for a pod field newer than client-node 1.4's typed models: it must survive a promotion.
        template: {
          metadata: { labels: { app: 'web', tier: 'front' } },
          spec: {
            workloadRef: { name: 'web-gang' },
            containers: [
              { name: 'web', image: STABLE_IMAGE, ports: [{ containerPort: 8080 }] },
              { name: 'proxy', image: 'docker.io/envoyproxy/envoy:v1.31' },
            ],
          },
        },
      },
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: NS },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: NS },
      spec: {
        parentRefs: [{ name: 'public' }],
        hostnames: ['shop.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: NS },
      spec: {
        hosts: ['shop.example.com'],
        gateways: ['public'],
        http: [
          {
            match: [{ uri: { prefix: '/' } }],
            route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 80 } } }],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'web',
        namespace: NS,
        annotations: {
          'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
          'cert-manager.io/cluster-issuer': 'letsencrypt',
        },
      },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'], secretName: 'web-tls' }],
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
                { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    },
  );
}

export async function startKube(): Promise<KubeApiServer> {
  const kube = await KubeApiServer.start({ namespaces: [NS], rollout: { outcome: 'available', delayMs: 20 } });
  seedApp(kube);
  return kube;
}

export const VARIABLES = {
  'Build.BuildId': '4711',
  'Build.BuildNumber': '20261123.1',
  'Build.DefinitionName': 'shop-cd',
  'System.StageName': 'staging',
  'System.TeamProject': 'shop',
};

export interface InProcessRun {
  host: RecordingHost;
  code: number;
  record?: JsonObject;
}

/**
 * First delay between two reads of a rollout in in-process runs: the emulator's rollouts take 20 ms, so the
 * task's default (200 ms, growing ×1.5) would spend most of a run asleep. Packaged runs keep the default.
 */
export const FAST_POLL_MS = 20;

/** Runs the task in-process through the shared runner, as the agent would, with a recording host. */
export async function runCanary(
  kube: KubeApiServer,
  inputs: Record<string, string>,
  opts: {
    token?: string;
    secretVariables?: Record<string, string>;
    pollMs?: number;
    /** Other pipeline variables (another run: another Build.BuildId). */
    variables?: Record<string, string>;
    /** More service connections beside `k8s` (AzureRM, OCI). */
    endpoints?: Record<string, Endpoint>;
  } = {},
): Promise<InProcessRun> {
  const tempDir = processTempDir('canary-test-');
  const host = new RecordingHost(
    {
      kubernetesServiceConnection: 'k8s',
      namespace: NS,
      deployment: 'web',
      service: 'web',
      route: 'web',
      interval: '1s',
      measurements: '1',
      ...inputs,
    },
    { ...VARIABLES, 'Agent.TempDirectory': tempDir, ...opts.variables },
    { k8s: kube.endpoint({ token: opts.token }), ...opts.endpoints },
    opts.secretVariables,
  );
  const pollMs = opts.pollMs ?? FAST_POLL_MS;
  const code = await runTask({ ...definition, execute: (ctx, o) => executeCanaryShift(ctx, o, { pollMs }) }, host);
  const attachment = host.attachments.find((a) => a.type === 'multicloud-devsecops.ledger');
  const record = attachment ? (JSON.parse(fs.readFileSync(attachment.path, 'utf8')) as JsonObject) : undefined;
  return { host, code, record };
}

/** The object's fields a test compares, without server-set metadata. */
export function shape(obj: JsonObject | undefined): unknown {
  if (!obj) return undefined;
  const meta = obj.metadata as JsonObject;
  return { annotations: meta.annotations, labels: meta.labels, spec: obj.spec };
}
