import * as assert from 'node:assert/strict';
import { AgentRunResult, Endpoint, runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ArmAksEmulator, startArmAks } from '../../devkit/emulators/arm-aks';
import { AKS_SERVER_APP_ID, EntraEmulator, spnConnection, startEntra } from '../../devkit/emulators/entra';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { kubeloginUser, okeUser } from '../../devkit/emulators/kube/authn';
import { CANARY_IMAGE, CANARY_RUN, NS, seedApp, startKube } from '../../devkit/stand-ins/kube-fixture';
import { OCI_TEST_KEY, ociEndpoint } from '../../devkit/support/oci-test-key';
import { startFakeOperator } from '../db/fake-operator';
import { dbInputs } from '../db/support';

const CLIENT_ID = '5c2f0e7a-8d1b-4c3e-9f4a-6b7c8d9e0f1a';
const CLIENT_SECRET = 'aks-connection-client-s3cret-0001';
const SUBSCRIPTION = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const RESOURCE_GROUP = 'rg-shop';
/** An application Entra knows that is not the AKS server app: a kubeconfig naming it gets the wrong audience. */
const OTHER_APP = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const OKE_CLUSTER = 'ocid1.cluster.oc1.eu-frankfurt-1.aaaaaaaamcdsoketestcluster0001';

type Rollout = { spec: { template: { spec: { containers: { image: string }[] } } } };
const imageOf = (kube: KubeApiServer): string =>
  (kube.get('apps/v1', 'Deployment', NS, 'web') as unknown as Rollout).spec.template.spec.containers[0].image;

/** A canary run with no analysis: enough to read, patch and create through the cluster's authenticator. */
const CANARY = {
  ...CANARY_RUN,
  steps: '50, 100',
  rolloutTimeoutSeconds: '60',
};

/**
 * Issue 20 row 9 through the agent model with the packaged CanaryShift: the Kubernetes connection of
 * type Azure Subscription (AKS through ARM listClusterUserCredential, Entra-enabled clusters through a
 * kubelogin-style token for the AKS server app) and an OKE kubeconfig whose `oci` exec user is replaced by
 * a token signed with the OCI connection's key, each checked by the emulators as the services check them.
 */
describe('agent model: AKS through an Azure Subscription connection, OKE through the OCI connection', function () {
  this.timeout(120_000);
  let entra: EntraEmulator;
  let arm: ArmAksEmulator;
  let plain: KubeApiServer;
  let aad: KubeApiServer;
  let oke: KubeApiServer;
  let okeClockAheadMs = 0;
  before(async () => {
    entra = await startEntra({ resources: [OTHER_APP] });
    entra.register({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const rollout = { outcome: 'available' as const, delayMs: 20 };
    [plain, aad, oke] = await Promise.all([
      startKube(),
      KubeApiServer.start({ namespaces: [NS], rollout, entraAudience: AKS_SERVER_APP_ID }),
      KubeApiServer.start({
        namespaces: [NS],
        rollout,
        oke: {
          clusterId: OKE_CLUSTER,
          region: 'eu-frankfurt-1',
          keys: { [OCI_TEST_KEY.keyId]: OCI_TEST_KEY.publicKeyPem },
          now: () => Date.now() + okeClockAheadMs,
        },
      }),
    ]);
    seedApp(aad);
    seedApp(oke);
    const cluster = (name: string, userKubeconfig: string) => ({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: RESOURCE_GROUP,
      name,
      userKubeconfig,
    });
    arm = await startArmAks([
      { ...cluster('aks-plain', plain.kubeconfig()), adminKubeconfig: plain.kubeconfig() },
      cluster('aks-entra', aad.kubeconfig({ user: kubeloginUser(entra.tenantId, AKS_SERVER_APP_ID) })),
      cluster('aks-entra-other', aad.kubeconfig({ user: kubeloginUser(entra.tenantId, OTHER_APP) })),
    ]);
  });
  after(async () => {
    await Promise.all([entra?.close(), arm?.close(), plain?.close(), aad?.close(), oke?.close()]);
  });

  /** The Kubernetes connection as Azure DevOps stores the Azure Subscription type (no service account token). */
  const aksConnection = (cluster: string): Endpoint => ({
    url: `https://${cluster}-dns-4f2a.hcp.westeurope.azmk8s.io:443`,
    scheme: 'Kubernetes',
    auth: { azureEnvironment: 'AzureCloud', azureTenantId: entra.tenantId },
    data: {
      authorizationType: 'AzureSubscription',
      azureSubscriptionId: SUBSCRIPTION,
      azureSubscriptionName: 'Shop Production',
      clusterId: `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerService/managedClusters/${cluster}`,
      namespace: NS,
      clusterAdmin: 'false',
    },
  });
  const armConnection = (): Endpoint =>
    spnConnection(entra, CLIENT_ID, CLIENT_SECRET, { url: `${arm.url}/`, data: { subscriptionId: SUBSCRIPTION } });
  const runAks = (cluster: string, data: Record<string, string> = {}): Promise<AgentRunResult> => {
    const k8s = aksConnection(cluster);
    return runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: { ...CANARY, azureSubscriptionEndpoint: 'arm' },
      endpoints: { k8s: { ...k8s, data: { ...k8s.data, ...data } }, arm: armConnection() },
    });
  };
  const failure = (r: AgentRunResult): string => `${r.resultMessage}\n${r.stdout}\n${r.stderr}`;

  it('AKS: reads the cluster user kubeconfig from ARM and rolls out with its credentials', async () => {
    const before = arm.requests.length;
    const r = await runAks('aks-plain');
    assert.equal(r.stepResult, 'Succeeded', failure(r));
    assert.equal(imageOf(plain), CANARY_IMAGE);
    const calls = arm.requests.slice(before);
    assert.deepEqual(
      calls.map((c) => [c.method, c.path.split('/').pop(), c.apiVersion, c.format, c.status]),
      [['POST', 'listClusterUserCredential', '2024-09-01', 'exec', 200]],
    );
    assert.ok(plain.requests.length > 0 && plain.requests.every((q) => q.status !== 401));
    const visible = visibleOutput(r);
    for (const secret of [CLIENT_SECRET, plain.token]) assert.ok(!visible.includes(secret), 'credentials stay masked');
  });

  it('AKS, connection set to cluster admin: reads the admin kubeconfig (listClusterAdminCredential)', async () => {
    const before = arm.requests.length;
    const r = await runAks('aks-plain', { clusterAdmin: 'true' });
    assert.equal(r.stepResult, 'Succeeded', failure(r));
    assert.deepEqual(
      arm.requests.slice(before).map((c) => [c.path.split('/').pop(), c.format, c.status]),
      [['listClusterAdminCredential', null, 200]],
    );
  });

  it('AKS with Entra ID: the kubelogin user gets an Entra token for the AKS server app, no kubelogin binary', async () => {
    const issued = entra.issued.length;
    const r = await runAks('aks-entra');
    assert.equal(r.stepResult, 'Succeeded', failure(r));
    assert.equal(imageOf(aad), CANARY_IMAGE);
    assert.deepEqual(
      entra.issued.slice(issued).map((i) => i.audience),
      ['https://management.core.windows.net', AKS_SERVER_APP_ID],
    );
    assert.ok(
      aad.requests.every((q) => q.status !== 401),
      JSON.stringify(aad.requests.map((q) => q.authError)),
    );
  });

  it('AKS with Entra ID, wrong audience: the cluster refuses, and the error names the token and both connections', async () => {
    const seen = aad.requests.length;
    const r = await runAks('aks-entra-other');
    assert.equal(r.result, 'Failed');
    assert.equal(r.code, 0);
    assert.match(
      r.resultMessage ?? '',
      new RegExp(
        `Unauthorized: the cluster refused an Entra token for audience ${OTHER_APP} from Azure connection 'arm' \\(Kubernetes connection 'k8s'\\)`,
      ),
    );
    assert.match(
      aad.requests[seen]?.authError ?? '',
      new RegExp(`audience '${OTHER_APP}' is not '${AKS_SERVER_APP_ID}'`),
    );
  });

  it('AKS cluster not found (ARM 404): a clear error naming the cluster and the connection, nothing else contacted', async () => {
    const r = await runAks('aks-gone');
    assert.equal(r.result, 'Failed');
    assert.match(
      r.resultMessage ?? '',
      /AKS cluster 'aks-gone' \(resource group 'rg-shop', subscription [-0-9a-f]+\) of Kubernetes connection 'k8s' was not found \(ARM 'ResourceNotFound'/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  const okeConnection = (): Endpoint => ({
    url: oke.url,
    scheme: 'Kubernetes',
    auth: { kubeconfig: oke.kubeconfig({ user: okeUser(OKE_CLUSTER, 'eu-frankfurt-1') }) },
    data: { authorizationType: 'Kubeconfig' },
  });

  it('OKE: the `oci ce cluster generate-token` user is served a token signed with the OCI connection key', async () => {
    okeClockAheadMs = 0;
    const r = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: { ...CANARY, ociConnection: 'oci' },
      endpoints: { k8s: okeConnection(), oci: ociEndpoint() },
    });
    assert.equal(r.stepResult, 'Succeeded', failure(r));
    assert.equal(imageOf(oke), CANARY_IMAGE);
    assert.ok(oke.requests.length > 0 && oke.requests.every((q) => q.status !== 401)); // the first run on this cluster
    assert.ok(!visibleOutput(r).includes(OCI_TEST_KEY.privateKeyPem.split('\n')[1]), 'the key stays masked');
  });

  it('OKE: a token the cluster finds expired is refused, and the error names the token and the connection', async () => {
    okeClockAheadMs = 6 * 60_000;
    const seen = oke.requests.length;
    try {
      const r = await runTaskLikeAgent({
        taskDir: packagedTaskDir('CanaryShift'),
        inputs: { ...CANARY, ociConnection: 'oci' },
        endpoints: { k8s: okeConnection(), oci: ociEndpoint() },
      });
      assert.equal(r.result, 'Failed');
      assert.match(
        r.resultMessage ?? '',
        /Unauthorized: the cluster refused an OKE token for cluster ocid1\.cluster\.\S+ in eu-frankfurt-1 signed with the OCI connection's key [0-9a-f:]+ \(Kubernetes connection 'k8s'\)/,
      );
      assert.match(oke.requests[seen]?.authError ?? '', /outside the allowed clock skew/);
    } finally {
      okeClockAheadMs = 0;
    }
  });

  it('OracleDbProvision (operator) on OKE: the operator back end reaches the cluster with the OCI connection key', async () => {
    okeClockAheadMs = 0;
    const seen = oke.requests.length;
    const operator = startFakeOperator(oke);
    try {
      const r = await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({
          target: 'operator',
          operatorOciAuth: 'apiKey',
          kubernetesServiceConnection: 'k8s',
          namespace: NS,
          displayName: 'Shop DB',
        }),
        endpoints: { k8s: okeConnection(), oci: ociEndpoint() },
      });
      assert.equal(r.stepResult, 'Succeeded', failure(r));
      assert.ok(oke.get('database.oracle.com/v4', 'AutonomousDatabase', NS, 'shop-db'), 'the CR was applied');
      const mine = oke.requests.slice(seen);
      assert.ok(mine.length > 0 && mine.every((q) => q.status !== 401));
    } finally {
      operator.stop();
    }
  });

  it('OKE without the OCI connection: stops before any request, saying which input to set', async () => {
    const seen = oke.requests.length;
    const r = await runTaskLikeAgent({
      taskDir: packagedTaskDir('CanaryShift'),
      inputs: CANARY,
      endpoints: { k8s: okeConnection() },
    });
    assert.equal(r.result, 'Failed');
    assert.match(r.resultMessage ?? '', /oci ce cluster generate-token.*Set ociConnection/);
    assert.equal(oke.requests.length, seen);
  });
});
