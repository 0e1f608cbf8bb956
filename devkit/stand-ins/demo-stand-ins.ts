import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Endpoint } from '../agent/agent-run';
import { KubeApiServer } from '../emulators/kube-apiserver';
import { JsonObject } from '../emulators/kube/patch';
import { OciDatabaseEmulator } from '../emulators/oci-database';
import { PrometheusEmulator } from '../emulators/prometheus';
import { startKube } from './kube-fixture';
import { KvWorld, startWorld } from './kv-world';
import { ADMIN, LocalRegistry, startLocalRegistry } from '../registry/local-registry';
import { OciLayout } from '../registry/oci-layout';
import { registryEndpoint, skopeoSeed, tempDir } from '../registry/world';
import { ociEndpoint } from '../support/oci-test-key';

/**
 * Everything the demo pipeline talks to, on 127.0.0.1: Entra + Key Vault + OCI Vault, the OCI
 * Database service, two real registries with token auth (seeded with skopeo), a kube-apiserver
 * with the shop's Deployment/Service/HTTPRoute, Prometheus, and the sample app itself.
 */
export interface StandIns {
  kv: KvWorld;
  db: OciDatabaseEmulator;
  nonprod: LocalRegistry;
  prod: LocalRegistry;
  kube: KubeApiServer;
  prometheus: PrometheusEmulator;
  /** The sample app: stable at /, the canary build at /canary. */
  appUrl: string;
  endpoints: Record<string, Endpoint>;
  stop(): Promise<void>;
}

export const SUCCESS_QUERY = 'sum(rate(http_requests_total{app="web",track="canary",code!~"5.."}[1m])) / sum(rate(http_requests_total{app="web",track="canary"}[1m]))';

function startApp(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const canary = (req.url ?? '').startsWith('/canary');
    const path = (req.url ?? '/').replace(/^\/canary/, '') || '/';
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', version: canary ? '1.4.2' : '1.4.1' }));
    } else if (path.startsWith('/api/products')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ id: 'sku-1', name: 'Kettle' }] }));
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

export async function startStandIns(log: (line: string) => void): Promise<StandIns> {
  const [kv, db, nonprod, prod, kube, prometheus, app] = await Promise.all([
    startWorld(),
    OciDatabaseEmulator.start({ delays: { provision: 800, update: 400, start: 400, stop: 400, backup: 400 } }),
    startLocalRegistry({ name: 'nonprod' }),
    startLocalRegistry({ name: 'prod' }),
    startKube(),
    PrometheusEmulator.start(),
    startApp(),
  ]);
  kv.kv.set('orders-admin-password', 'Orders-Adm1n-Passw0rd');
  kv.kv.set('payments-api-key', 'pk_live_demo_4242');
  prometheus.script(SUCCESS_QUERY, [0.997, 0.995, 0.999]);
  log(`  Entra ${kv.entra.authorityHost}, Key Vault ${kv.kv.hostname} (via ${kv.proxy.url}), OCI Vault ${kv.oci.url}`);
  log(`  OCI Database ${db.url}`);

  const layout = new OciLayout(tempDir('demo'));
  const image = layout.image({ layerSizes: [400_000, 150_000, 50_000] });
  layout.tag('1.4.2', image);
  const signature = layout.referrer(image, 'application/vnd.dev.cosign.artifact.sig.v1+json', 'demo-signature');
  const sbom = layout.referrer(image, 'application/spdx+json', '{"spdxVersion":"SPDX-2.3","name":"web"}');
  const fallback = layout.referrersIndex(image, [signature, sbom]);
  layout.tag(fallback.tag, fallback.descriptor);
  await skopeoSeed(layout.dir, '1.4.2', nonprod, 'shop/web:1.4.2');
  await skopeoSeed(layout.dir, fallback.tag, nonprod, `shop/web:${fallback.tag}`, { all: true });
  // The shop's stable Deployment runs 1.4.1 from the prod registry: the canary replaces that container.
  const web = kube.get('apps/v1', 'Deployment', 'shop', 'web')!;
  const containers = ((web.spec as JsonObject).template as JsonObject).spec as JsonObject;
  (containers.containers as JsonObject[])[0].image = `${prod.host}/shop/web@sha256:${'a'.repeat(64)}`;
  kube.seed(web);
  log(`  registries ${nonprod.host} (non-prod, seeded with shop/web:1.4.2 + signature + SBOM) and ${prod.host} (prod)`);
  log(`  kube-apiserver ${kube.url}, Prometheus ${prometheus.url}, sample app ${app.url}`);

  return {
    kv, db, nonprod, prod, kube, prometheus,
    appUrl: app.url,
    endpoints: {
      ...kv.endpoints,
      'oci-db': ociEndpoint(db.url),
      'acr-nonprod': registryEndpoint(nonprod, ADMIN),
      'acr-prod': registryEndpoint(prod, ADMIN),
      aks: kube.endpoint(),
    },
    stop: async () => {
      app.server.closeAllConnections();
      app.server.close();
      await Promise.allSettled([kv.close(), db.close(), nonprod.stop(), prod.stop(), kube.close(), prometheus.close()]);
    },
  };
}
