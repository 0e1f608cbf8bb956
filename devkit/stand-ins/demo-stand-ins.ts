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

export const SUCCESS_QUERY =
  'sum(rate(http_requests_total{app="web",track="canary",code!~"5.."}[1m])) / sum(rate(http_requests_total{app="web",track="canary"}[1m]))';

function startApp(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const canary = (req.url ?? '').startsWith('/canary');
    const path = (req.url ?? '/').replace(/^\/canary/, '') || '/';
    if (path === '/healthz') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', version: canary ? '1.4.2' : '1.4.1' }));
    } else if (path.startsWith('/api/products')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ items: [{ id: 'sku-1', name: 'Kettle' }] }));
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

interface Stoppable {
  name: string;
  stop: () => Promise<unknown>;
}

/**
 * Starts every stand-in, reporting each as it comes up. If one cannot start, the others are stopped
 * and the error says which one and why (issue 19): never a half-started demo or a stack trace.
 */
export async function startNamed<T extends Record<string, unknown>>(
  starters: { [K in keyof T]: { label: string; start: () => Promise<T[K]>; stop: (v: T[K]) => Promise<unknown> } },
  log: (line: string) => void,
): Promise<{ started: T; stopAll: () => Promise<void> }> {
  const started = {} as T;
  const running: Stoppable[] = [];
  const failures: string[] = [];
  await Promise.all(
    (Object.keys(starters) as (keyof T)[]).map(async (key) => {
      const { label, start, stop } = starters[key];
      const t0 = Date.now();
      try {
        const value = await start();
        started[key] = value;
        running.push({ name: label, stop: () => stop(value) });
        log(`  ✔ ${label} (${Date.now() - t0} ms)`);
      } catch (err) {
        failures.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
        log(`  ✘ ${label} could not start: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(running.map((r) => r.stop()));
  };
  if (failures.length) {
    await stopAll();
    throw new StandInError(`stand-in(s) could not start, the others were stopped — ${failures.join('; ')}`);
  }
  return { started, stopAll };
}

/** A stand-in failed to start: the demo prints this message alone, without a stack. */
export class StandInError extends Error {
  override name = 'StandInError';
}

export async function startStandIns(log: (line: string) => void): Promise<StandIns> {
  const { started, stopAll } = await startNamed(
    {
      kv: { label: 'Entra + Key Vault + OCI Vault', start: () => startWorld(), stop: (w: KvWorld) => w.close() },
      db: {
        label: 'OCI Database service',
        start: () =>
          OciDatabaseEmulator.start({ delays: { provision: 800, update: 400, start: 400, stop: 400, backup: 400 } }),
        stop: (d: OciDatabaseEmulator) => d.close(),
      },
      nonprod: {
        label: 'registry non-prod (docker-registry)',
        start: () => startLocalRegistry({ name: 'nonprod' }),
        stop: (r: LocalRegistry) => r.stop(),
      },
      prod: {
        label: 'registry prod (docker-registry)',
        start: () => startLocalRegistry({ name: 'prod' }),
        stop: (r: LocalRegistry) => r.stop(),
      },
      kube: { label: 'kube-apiserver', start: () => startKube(), stop: (k: KubeApiServer) => k.close() },
      prometheus: {
        label: 'Prometheus',
        start: () => PrometheusEmulator.start(),
        stop: (p: PrometheusEmulator) => p.close(),
      },
      app: {
        label: 'sample app',
        start: () => startApp(),
        stop: async (a: { server: http.Server }) => {
          a.server.closeAllConnections();
          a.server.close();
        },
      },
    },
    log,
  );
  const { kv, db, nonprod, prod, kube, prometheus, app } = started;
  try {
    kv.kv.set('orders-admin-password', 'Orders-Adm1n-Passw0rd');
    kv.kv.set('payments-api-key', 'pk_live_demo_4242');
    prometheus.script(SUCCESS_QUERY, [0.997, 0.995, 0.999]);
    log(
      `  Entra ${kv.entra.authorityHost}, Key Vault ${kv.kv.hostname} (via ${kv.proxy.url}), OCI Vault ${kv.oci.url}`,
    );
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
    log(
      `  registries ${nonprod.host} (non-prod, seeded with shop/web:1.4.2 + signature + SBOM) and ${prod.host} (prod)`,
    );
    log(`  kube-apiserver ${kube.url}, Prometheus ${prometheus.url}, sample app ${app.url}`);
  } catch (err) {
    await stopAll();
    throw new StandInError(
      `seeding the stand-ins failed, every stand-in was stopped — ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    kv,
    db,
    nonprod,
    prod,
    kube,
    prometheus,
    appUrl: app.url,
    endpoints: {
      ...kv.endpoints,
      'oci-db': ociEndpoint(db.url),
      'acr-nonprod': registryEndpoint(nonprod, ADMIN),
      'acr-prod': registryEndpoint(prod, ADMIN),
      aks: kube.endpoint(),
    },
    stop: stopAll,
  };
}
