import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentRunOptions, AgentRunResult, runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { AgentProxyServer, startAgentProxy } from '../../devkit/net/agent-proxy';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { OciLayout } from '../../devkit/registry/oci-layout';
import { registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { CANARY_RUN, startKube } from '../../devkit/stand-ins/kube-fixture';
import { KvWorld, startWorld } from '../../devkit/stand-ins/kv-world';
import { TestService, startService } from '../../devkit/stand-ins/smoke-service';
import { issueCert } from '../../devkit/support/test-ca';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { dbInputs } from '../db/support';

const USER = 'corp\\builder';
const PASSWORD = 'Pr0xy-Pa55word!';

/**
 * Issue 20 rows 4 and 5: every task reaches its services through an authenticating proxy known only
 * the way the agent passes it (Agent.ProxyUrl, Agent.ProxyUsername, the secret Agent.ProxyPassword),
 * and through a TLS-inspecting proxy whose CA is known only as Agent.CAInfo (the test CA is then not
 * trusted at all, so a direct connection fails).
 */
describe('agent model: all five tasks behind the agent proxy and a TLS-inspecting proxy', function () {
  this.timeout(180_000);
  let svc: TestService;
  let kube: KubeApiServer;
  let prom: PrometheusEmulator;
  let oci: OciDatabaseEmulator;
  let world: KvWorld;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let layout: OciLayout | undefined;
  before(async () => {
    svc = await startService({ tls: issueCert({ days: 30 }) });
    kube = await startKube();
    prom = await PrometheusEmulator.start({});
    oci = await OciDatabaseEmulator.start({
      delays: { provision: 50, update: 50, start: 50, stop: 50, terminate: 50, backup: 50 },
    });
    world = await startWorld();
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'psrc' }), startLocalRegistry({ name: 'pdst' })]);
    layout = new OciLayout(tempDir('playout'));
    const image = layout.image({ layerSizes: [40_000] });
    layout.tag('v1', image);
    await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
  });
  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([svc.close(), kube.close(), prom.close(), oci.close(), world.close(), src.stop(), dst.stop()]);
  });

  const port = (url: string): string => new URL(url).port;
  let acrRuns = 0;
  const tasks: Record<
    string,
    {
      run: (o: Partial<AgentRunOptions>) => Promise<AgentRunResult>;
      ports: () => string[];
      /** host:port → bytes that must have gone through the proxy's tunnels in one run, each way. */
      bytes?: () => Record<string, { up?: number; down?: number }>;
    }
  > = {
    SmokeTest: {
      run: (o) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('SmokeTest'),
          inputs: { baseUrl: svc.url, checks: '- { name: health, path: /healthz }\n' },
          ...o,
        }),
      ports: () => [port(svc.url)],
    },
    CanaryShift: {
      run: (o) => {
        prom.script('canary_success_ratio', [0.999]);
        return runTaskLikeAgent({
          taskDir: packagedTaskDir('CanaryShift'),
          inputs: {
            ...CANARY_RUN,
            steps: '50, analysis, 100',
            prometheusUrl: prom.url,
            query: 'canary_success_ratio',
            successCondition: 'result >= 0.99',
            interval: '1s',
            measurements: '1',
            rolloutTimeoutSeconds: '60',
          },
          endpoints: { k8s: kube.serviceAccountEndpoint() },
          ...o,
        });
      },
      ports: () => [port(kube.url), port(prom.url)],
    },
    AcrPromote: {
      run: (o) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('AcrPromote'),
          inputs: {
            sourceImage: `${src.host}/team/app:v1`,
            targetRegistry: dst.host,
            // A repository per run, so that each run copies blob bytes again (streamed apart from fetch).
            targetRepository: `team/app-${++acrRuns}`,
            targetTags: 'v1',
            sourceRegistryConnection: 's',
            targetRegistryConnection: 'd',
          },
          endpoints: { s: registryEndpoint(src, READER), d: registryEndpoint(dst, ADMIN) },
          ...o,
        }),
      ports: () => [src.host.split(':')[1], dst.host.split(':')[1]],
      // The 40 kB layer is streamed apart from fetch (registry/raw-http.ts): down from the source, up to the target.
      bytes: () => ({ [src.host]: { down: 40_000 }, [dst.host]: { up: 40_000 } }),
    },
    KeyVaultToOci: {
      run: (o) => {
        world.kv.set('db-password', 'proxied-value');
        return runTaskLikeAgent({
          taskDir: packagedTaskDir('KeyVaultToOci'),
          inputs: { ...world.inputs, secrets: 'db-password' },
          endpoints: world.endpoints,
          ...o,
        });
      },
      ports: () => [port(world.entra.authorityHost), `${world.kv.hostname}:443`, port(world.oci.url)],
    },
    OracleDbProvision: {
      run: (o) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('OracleDbProvision'),
          inputs: dbInputs({}),
          endpoints: { oci: ociEndpoint(oci.url) },
          ...o,
        }),
      ports: () => [port(oci.url)],
    },
  };

  for (const inspect of [false, true]) {
    describe(
      inspect ? 'TLS-inspecting proxy, its CA only as Agent.CAInfo' : 'authenticating proxy (AGENT_PROXYURL…)',
      () => {
        let proxy: AgentProxyServer;
        before(async () => {
          // A fresh cluster: the first mode's rollout already promoted the canary.
          await kube.close();
          kube = await startKube();
          proxy = await startAgentProxy({
            username: USER,
            password: PASSWORD,
            inspect,
            routes: { [world.kv.hostname]: world.kv.port },
          });
        });
        after(() => proxy.close());

        for (const [name, t] of Object.entries(tasks)) {
          it(name, async () => {
            const from = proxy.passed.length;
            const bytesBefore = Object.keys(t.bytes?.() ?? {}).map((hp) => proxy.tunnelled(hp));
            const r = await t.run({
              proxy: { url: proxy.url, username: USER, password: PASSWORD },
              ...(inspect ? { certificates: { caFile: proxy.caFile }, trustTestCa: false } : {}),
              timeoutMs: 90_000,
            });
            assert.equal(
              r.stepResult,
              'Succeeded',
              `${name}: ${r.resultMessage}\n${r.agentErrors.join('\n')}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
            );
            const seen = proxy.passed.slice(from).join(' ');
            for (const p of t.ports())
              assert.ok(
                seen.includes(p.includes(':') ? p : `:${p}`),
                `${name}: nothing to port ${p} went through the proxy (${seen})`,
              );
            for (const [i, [hp, least]] of Object.entries(t.bytes?.() ?? {}).entries()) {
              const now = proxy.tunnelled(hp);
              const moved = { up: now.up - bytesBefore[i].up, down: now.down - bytesBefore[i].down };
              assert.ok(
                moved.up >= (least.up ?? 0) && moved.down >= (least.down ?? 0),
                `${name}: only ${JSON.stringify(moved)} bytes to ${hp} went through the proxy, expected ${JSON.stringify(least)}`,
              );
            }
            assert.equal(proxy.refused, 0, 'every request carried the proxy credentials');
            assert.ok(!visibleOutput(r).includes(PASSWORD), 'the proxy password is never shown');
          });
        }
      },
    );
  }
});
