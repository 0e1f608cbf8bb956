/**
 * The demo series' world on 127.0.0.1: Entra + Key Vault + OCI Vault, the OCI Database service, three real
 * registries (non-prod ACR, prod ACR, OCIR for OKE; docker-registry with token auth, seeded by skopeo), three
 * kube-apiservers (AKS staging, AKS production, OKE production) with the shop's Deployment/Service/HTTPRoute,
 * the Prometheus stand-in (one success-rate query per cluster, scripted per release) and the sample app.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Endpoint } from '../agent/agent-run';
import { KubeApiServer } from '../emulators/kube-apiserver';
import { JsonObject } from '../emulators/kube/patch';
import { OciDatabaseEmulator } from '../emulators/oci-database';
import { PrometheusEmulator } from '../emulators/prometheus';
import { startKube } from './kube-fixture';
import { KvWorld, startWorld } from './kv-world';
import { StandInError, startNamed } from './demo-stand-ins';
import { ADMIN, LocalRegistry, startLocalRegistry } from '../registry/local-registry';
import { OciLayout } from '../registry/oci-layout';
import { registryEndpoint, skopeoSeed, tempDir } from '../registry/world';
import { CosignKeys, cosignKeys, writeCosignSignature } from '../registry/cosign';
import { ociEndpoint } from '../support/oci-test-key';

export type Cluster = 'aks-staging' | 'aks-prod' | 'oke-prod';
export type RegistryName = 'nonprod' | 'acr' | 'ocir';
export const CLUSTERS: Cluster[] = ['aks-staging', 'aks-prod', 'oke-prod'];

/** The Key Vault secrets the shop starts with; the series rotates one and revokes another. */
export const SECRETS: Record<string, string> = {
  'orders-admin-password': 'Orders-Adm1n-Passw0rd',
  'payments-api-key': 'pk_live_demo_4242',
  'payments-webhook-secret': 'whsec_demo_0a1b2c3d',
};

/** The canary's success rate in one cluster (the metric each cluster's Prometheus is asked for). */
export function successQuery(cluster: Cluster): string {
  const sel = `cluster="${cluster}",app="web",track="canary"`;
  return `sum(rate(http_requests_total{${sel},code!~"5.."}[1m])) / sum(rate(http_requests_total{${sel}}[1m]))`;
}

export interface SeriesWorld {
  kv: KvWorld;
  db: OciDatabaseEmulator;
  registries: Record<RegistryName, LocalRegistry>;
  kube: Record<Cluster, KubeApiServer>;
  prometheus: PrometheusEmulator;
  appUrl: string;
  cosign: CosignKeys;
  endpoints: Record<string, Endpoint>;
  /** The image each cluster's Deployment web runs now. */
  runningImage(cluster: Cluster): string;
  stop(): Promise<void>;
}

function startApp(): Promise<http.Server & { url?: string }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/canary/, '') || '/';
    if (path === '/healthz') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const url = (s: http.Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
const fastDb = { provision: 600, update: 300, start: 300, stop: 300, backup: 300 };

/** Non-prod holds 1.4.1 (unsigned), 1.4.2 and 1.4.3 (cosign-signed), each with an SBOM referrer. */
async function seedImages(nonprod: LocalRegistry, key: CosignKeys): Promise<void> {
  const layout = new OciLayout(tempDir('series'));
  // The layout is written completely before skopeo reads it (index.json is rewritten by every tag).
  const images: (() => Promise<void>)[] = [];
  const referrers: (() => Promise<void>)[] = [];
  for (const [i, version] of ['1.4.1', '1.4.2', '1.4.3'].entries()) {
    const image = layout.image({ layerSizes: [300_000 + i * 1000, 90_000, 20_000] });
    layout.tag(version, image);
    const sbom = layout.referrer(image, 'application/spdx+json', `{"spdxVersion":"SPDX-2.3","name":"web-${version}"}`);
    const fallback = layout.referrersIndex(image, [sbom]);
    layout.tag(fallback.tag, fallback.descriptor);
    images.push(() => skopeoSeed(layout.dir, version, nonprod, `shop/web:${version}`));
    referrers.push(() => skopeoSeed(layout.dir, fallback.tag, nonprod, `shop/web:${fallback.tag}`, { all: true }));
    if (version !== '1.4.1') {
      const tag = `${image.digest.replace(':', '-')}.sig`; // cosign's tag for a signature of sha256:<hex>
      writeCosignSignature(layout, tag, image.digest, `${nonprod.host}/shop/web`, key);
      referrers.push(() => skopeoSeed(layout.dir, tag, nonprod, `shop/web:${tag}`));
    }
  }
  // Images at once (no blob in common); then referrers one by one: they share blobs (the empty config, the
  // signature's config), and two pushes of one blob into one repository at once race in the registry.
  await Promise.all(images.map((seed) => seed()));
  for (const seed of referrers) await seed();
}

export async function startSeriesWorld(log: (line: string) => void): Promise<SeriesWorld> {
  const registry = (name: RegistryName, label: string) => ({
    label,
    start: () => startLocalRegistry({ name }),
    stop: (r: LocalRegistry) => r.stop(),
  });
  const kube = (label: string) => ({ label, start: () => startKube(), stop: (k: KubeApiServer) => k.close() });
  const { started: s, stopAll } = await startNamed(
    {
      kv: { label: 'Entra + Key Vault + OCI Vault', start: () => startWorld(), stop: (w: KvWorld) => w.close() },
      db: {
        label: 'OCI Database service',
        start: () => OciDatabaseEmulator.start({ delays: fastDb }),
        stop: (d: OciDatabaseEmulator) => d.close(),
      },
      nonprod: registry('nonprod', 'registry ACR non-prod (docker-registry)'),
      acr: registry('acr', 'registry ACR prod (docker-registry)'),
      ocir: registry('ocir', 'registry OCIR (docker-registry)'),
      aksStaging: kube('kube-apiserver AKS staging'),
      aksProd: kube('kube-apiserver AKS production'),
      okeProd: kube('kube-apiserver OKE production'),
      prometheus: {
        label: 'Prometheus',
        start: () => PrometheusEmulator.start(),
        stop: (p: PrometheusEmulator) => p.close(),
      },
      app: {
        label: 'sample app',
        start: () => startApp(),
        stop: async (a: http.Server) => {
          a.closeAllConnections();
          a.close();
        },
      },
    },
    log,
  );
  const cosign = cosignKeys();
  const kubes: Record<Cluster, KubeApiServer> = {
    'aks-staging': s.aksStaging,
    'aks-prod': s.aksProd,
    'oke-prod': s.okeProd,
  };
  const registries: Record<RegistryName, LocalRegistry> = { nonprod: s.nonprod, acr: s.acr, ocir: s.ocir };
  const webContainer = (k: KubeApiServer): JsonObject => {
    const web = k.get('apps/v1', 'Deployment', 'shop', 'web')!;
    return (((web.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as unknown as JsonObject;
  };
  try {
    for (const [name, value] of Object.entries(SECRETS)) s.kv.kv.set(name, value);
    await seedImages(s.nonprod, cosign);
    // Every cluster runs 1.4.0 from its own registry before the series: the first canary replaces it.
    for (const c of CLUSTERS) {
      const k = kubes[c];
      const web = k.get('apps/v1', 'Deployment', 'shop', 'web')!;
      const host = c === 'oke-prod' ? s.ocir.host : s.acr.host;
      ((web.spec as JsonObject).template as JsonObject).spec = {
        ...(((web.spec as JsonObject).template as JsonObject).spec as JsonObject),
        containers: [
          { name: 'web', image: `${host}/shop/web@sha256:${'a'.repeat(64)}`, ports: [{ containerPort: 8080 }] },
        ],
      };
      k.seed(web);
    }
    log(`  Key Vault ${s.kv.kv.hostname} (via ${s.kv.proxy.url}), OCI Vault ${s.kv.oci.url}, OCI Database ${s.db.url}`);
    log(`  registries: non-prod ${s.nonprod.host} (shop/web 1.4.1, 1.4.2 + 1.4.3 cosign-signed, SBOMs),`);
    log(`              ACR prod ${s.acr.host}, OCIR ${s.ocir.host}`);
    log(`  clusters: ${CLUSTERS.map((c) => `${c} ${kubes[c].url}`).join(', ')}; Prometheus ${s.prometheus.url}`);
  } catch (err) {
    await stopAll();
    throw new StandInError(
      `seeding the stand-ins failed, every stand-in was stopped — ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    kv: s.kv,
    db: s.db,
    registries,
    kube: kubes,
    prometheus: s.prometheus,
    appUrl: url(s.app),
    cosign,
    endpoints: {
      ...s.kv.endpoints,
      'oci-db': ociEndpoint(s.db.url),
      'acr-nonprod': registryEndpoint(s.nonprod, ADMIN),
      'acr-prod': registryEndpoint(s.acr, ADMIN),
      ocir: registryEndpoint(s.ocir, ADMIN),
      ...Object.fromEntries(CLUSTERS.map((c) => [c, kubes[c].endpoint()])),
    },
    runningImage: (c) => (webContainer(kubes[c]) as unknown as { image: string }[])[0].image,
    stop: stopAll,
  };
}
