import { AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { EntraEmulator, startEntra } from '../../devkit/emulators/entra';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { HostileService, startHostileService } from '../../devkit/stand-ins/hostile-service';
import { CANARY_RUN, startKube } from '../../devkit/stand-ins/kube-fixture';
import { KvWorld, startWorld } from '../../devkit/stand-ins/kv-world';
import { issueCert } from '../../devkit/support/test-ca';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { dbInputs } from '../db/support';
import { assertNoInjection, assertServiceTextShown } from './injection';

const ARM_CLIENT_ID = '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901';
const ARM_CLIENT_SECRET = 'hostile-arm-test-client-s3cret';

/**
 * Issue 20 row 8: services that put pipeline commands in their status text, headers and error bodies
 * reach no command in any task's output, with System.Debug on and off, judged by the agent model.
 */
describe('agent model: hostile services cannot issue pipeline commands (all five tasks)', function () {
  this.timeout(120_000);
  const tls = issueCert({ days: 30 });
  let http: HostileService;
  let prom: HostileService;
  let registry: HostileService;
  let oci: HostileService;
  let arm: HostileService;
  let entra: EntraEmulator;
  let kube: KubeApiServer;
  let world: KvWorld;
  before(async () => {
    [http, prom, registry, oci, arm] = await Promise.all([
      startHostileService('http', tls),
      startHostileService('prometheus'),
      startHostileService('registry'),
      startHostileService('oci', tls),
      startHostileService('arm', tls),
    ]);
    entra = await startEntra();
    entra.register({ clientId: ARM_CLIENT_ID, clientSecret: ARM_CLIENT_SECRET });
    kube = await startKube();
    world = await startWorld();
  });
  after(async () => {
    await Promise.all([
      http.close(),
      prom.close(),
      registry.close(),
      oci.close(),
      arm.close(),
      entra.close(),
      kube.close(),
      world.close(),
    ]);
  });

  const runs: Record<string, (debug: string) => Promise<AgentRunResult>> = {
    SmokeTest: (debug) =>
      runTaskLikeAgent({
        taskDir: packagedTaskDir('SmokeTest'),
        inputs: {
          baseUrl: http.url,
          checks: [
            '- { name: status, path: /health }',
            '- { name: header, path: /h, expect: { status: 500, headers: { x-service-note: { matches: "^nothing$" } } } }',
            '- { name: json, path: /j, expect: { status: 500, json: { $.error: "fine" } } }',
          ].join('\n'),
        },
        variables: { 'System.Debug': debug },
      }),
    CanaryShift: (debug) =>
      runTaskLikeAgent({
        taskDir: packagedTaskDir('CanaryShift'),
        inputs: {
          ...CANARY_RUN,
          steps: '20, analysis, 100',
          prometheusUrl: prom.url,
          query: 'canary_success_ratio',
          successCondition: 'result >= 0.99',
          interval: '1s',
          measurements: '1',
          rolloutTimeoutSeconds: '60',
        },
        endpoints: { k8s: kube.serviceAccountEndpoint() },
        variables: { 'System.Debug': debug },
      }),
    // An Azure Subscription Kubernetes connection: the ARM listClusterUserCredential error text is the attack.
    'CanaryShift (AKS through ARM)': (debug) =>
      runTaskLikeAgent({
        taskDir: packagedTaskDir('CanaryShift'),
        inputs: {
          ...CANARY_RUN,
          kubernetesServiceConnection: 'aks',
          azureSubscriptionEndpoint: 'arm',
          steps: '50, 100',
          rolloutTimeoutSeconds: '60',
        },
        endpoints: {
          aks: {
            url: 'https://aks-shop.hcp.westeurope.azmk8s.io:443',
            scheme: 'Kubernetes',
            auth: { azureEnvironment: 'AzureCloud', azureTenantId: entra.tenantId },
            data: {
              authorizationType: 'AzureSubscription',
              clusterId:
                '/subscriptions/s-1/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks',
            },
          },
          arm: {
            url: `${arm.url}/`,
            scheme: 'ServicePrincipal',
            auth: {
              tenantid: entra.tenantId,
              serviceprincipalid: ARM_CLIENT_ID,
              serviceprincipalkey: ARM_CLIENT_SECRET,
              authenticationType: 'spnKey',
            },
            data: { environmentAuthorityUrl: entra.authorityHost },
          },
        },
        variables: { 'System.Debug': debug },
      }),
    AcrPromote: (debug) =>
      runTaskLikeAgent({
        taskDir: packagedTaskDir('AcrPromote'),
        inputs: { sourceImage: `${registry.host}/shop/web:1.4.2`, targetRegistry: registry.host, targetTags: 'prod' },
        variables: { 'System.Debug': debug },
      }),
    KeyVaultToOci: (debug) =>
      runTaskLikeAgent({
        taskDir: packagedTaskDir('KeyVaultToOci'),
        inputs: { ...world.inputs, secrets: 'db-password' },
        endpoints: { ...world.endpoints, oci: ociEndpoint(oci.url) },
        variables: { 'System.Debug': debug },
        env: { HTTPS_PROXY: world.proxy.url },
      }),
    OracleDbProvision: (debug) =>
      runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({}),
        endpoints: { oci: ociEndpoint(oci.url) },
        variables: { 'System.Debug': debug },
      }),
  };

  for (const [task, run] of Object.entries(runs)) {
    for (const debug of ['false', 'true']) {
      it(`${task}, System.Debug=${debug}`, async () => {
        if (task === 'KeyVaultToOci') world.kv.set('db-password', 'value-1');
        const r = await run(debug);
        const label = `${task} debug=${debug}`;
        assertNoInjection(r, label);
        assertServiceTextShown(r, label);
      });
    }
  }
});
