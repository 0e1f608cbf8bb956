import { strict as assert } from 'node:assert';
import { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { AzureRmConnection } from '../../tasks/common/connections/azure-rm';
import { AKS_SERVER_APP_ID, EXEC_PLUGINS, argValue, replaceExecUsers } from '../../tasks/common/connections/kube-exec';
import {
  KubernetesConnection,
  parseAksClusterId,
  readKubernetesConnection,
} from '../../tasks/common/connections/kubernetes';
import { OciConnection } from '../../tasks/common/connections/oci';
import { generateOkeToken } from '../../tasks/common/connections/oke-token';
import { InputError, TaskError } from '../../tasks/common/errors';
import { InputReader } from '../../tasks/common/inputs';
import { SecretRegistry } from '../../tasks/common/secrets';
import { Endpoint } from '../../devkit/agent/agent-run';
import { RecordingHost } from '../../devkit/agent/recording-host';
import { kubeloginUser, okeUser, verifyOkeToken } from '../../devkit/emulators/kube/authn';
import { OCI_TEST_KEY, otherOciKey } from '../../devkit/support/oci-test-key';

const CLUSTER = 'ocid1.cluster.oc1.eu-frankfurt-1.aaaaaaaamcdsoketestcluster';
const OCI: OciConnection = {
  tenancy: OCI_TEST_KEY.tenancy,
  user: OCI_TEST_KEY.user,
  fingerprint: OCI_TEST_KEY.fingerprint,
  privateKey: OCI_TEST_KEY.privateKeyPem,
  region: 'eu-frankfurt-1',
};
const OKE = { clusterId: CLUSTER, region: 'eu-frankfurt-1', keys: { [OCI_TEST_KEY.keyId]: OCI_TEST_KEY.publicKeyPem } };
const AZURE: AzureRmConnection = {
  connectionId: 'arm',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '6a1d9b2f-3c4e-4d5f-8a6b-7c8d9e0f1a2b',
  subscriptionId: 's-from-arm',
  auth: { kind: 'secret', clientSecret: 'x' },
  resourceManagerUrl: 'https://management.azure.com/',
  authorityHost: 'https://login.microsoftonline.com/',
  armScope: 'https://management.core.windows.net/.default',
};

function read(endpoint: Endpoint, azure?: AzureRmConnection): { conn?: KubernetesConnection; problems: string } {
  const host = new RecordingHost({ conn: 'k8s' }, {}, { k8s: endpoint });
  const reader = new InputReader(
    { get: (n) => host.input(n) },
    {
      id: 'x',
      name: 'S',
      friendlyName: 'S',
      version: { Major: 0, Minor: 1, Patch: 0 },
      inputs: [{ name: 'conn', type: 'connectedService:kubernetes', label: 'C', required: true }],
    },
    new SecretRegistry(() => undefined),
  );
  const conn = readKubernetesConnection(reader, host.endpoints, 'conn', { azure });
  try {
    reader.check();
    return { conn, problems: '' };
  } catch (err) {
    assert.ok(err instanceof InputError);
    return { conn, problems: err.message };
  }
}

describe('Kubernetes credentials from other connections (issue 20 row 9)', () => {
  describe('OKE token, as oci ce cluster generate-token makes it', () => {
    it('is the presigned cluster_request URL, base64url with padding, that the cluster verifies', () => {
      const { token, refreshAt } = generateOkeToken(OCI, { clusterId: CLUSTER, region: 'eu-frankfurt-1' }, 1_000_000);
      assert.equal(refreshAt, 1_000_000 + 4 * 60_000);
      assert.match(token, /^[A-Za-z0-9_-]+=*$/);
      const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
      assert.equal(
        `${url.origin}${url.pathname}`,
        `https://containerengine.eu-frankfurt-1.oraclecloud.com/cluster_request/${CLUSTER}`,
      );
      assert.deepEqual([...url.searchParams.keys()], ['authorization', 'date']);
      assert.match(url.searchParams.get('authorization')!, /headers="date \(request-target\) host"/);
      const fresh = generateOkeToken(OCI, { clusterId: CLUSTER, region: 'eu-frankfurt-1' });
      assert.deepEqual(verifyOkeToken(fresh.token, OKE), { ok: true, user: `oke:${OCI_TEST_KEY.user}` });
    });

    const table: [string, () => string, RegExp][] = [
      [
        'another cluster',
        () => generateOkeToken(OCI, { clusterId: `${CLUSTER}x`, region: 'eu-frankfurt-1' }).token,
        /not this cluster/,
      ],
      [
        'another region',
        () => generateOkeToken(OCI, { clusterId: CLUSTER, region: 'us-ashburn-1' }).token,
        /another region/,
      ],
      ['six minutes old', () => generateOkeToken(OCI, OKE, Date.now() - 6 * 60_000).token, /clock skew/],
      [
        'an unregistered key',
        () => generateOkeToken({ ...OCI, privateKey: otherOciKey().privateKeyPem }, OKE).token,
        /not provided or was incorrect/,
      ],
      ['not a URL', () => Buffer.from('hello').toString('base64url'), /not a base64url-encoded URL/],
    ];
    for (const [name, make, reason] of table) {
      it(`is refused when it is for ${name}`, () => {
        const v = verifyOkeToken(make(), OKE);
        assert.equal(v.ok, false);
        assert.match((v as { reason: string }).reason, reason);
      });
    }
  });

  describe('Azure Subscription Kubernetes connections', () => {
    const clusterId =
      '/subscriptions/s1/resourcegroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop';
    it('parses the clusterId Azure DevOps stores', () => {
      assert.deepEqual(parseAksClusterId(clusterId), {
        subscriptionId: 's1',
        resourceGroup: 'rg-shop',
        name: 'aks-shop',
      });
      assert.equal(parseAksClusterId('/subscriptions/s1/resourceGroups/rg'), undefined);
    });

    it('reaches the cluster through ARM with the azureSubscriptionEndpoint connection', () => {
      const data = {
        authorizationType: 'AzureSubscription',
        clusterId,
        clusterAdmin: 'true',
        azureSubscriptionId: 's1',
      };
      const { conn, problems } = read({ url: 'https://aks-shop.hcp.example', scheme: 'Kubernetes', data }, AZURE);
      assert.equal(problems, '');
      assert.equal(conn?.kind, 'aks');
      assert.deepEqual(
        conn?.kind === 'aks' && { cluster: conn.cluster, admin: conn.admin, azure: conn.azure.connectionId },
        {
          cluster: { subscriptionId: 's1', resourceGroup: 'rg-shop', name: 'aks-shop' },
          admin: true,
          azure: 'arm',
        },
      );
    });

    it("takes KubernetesManifest's field names when the connection carries them", () => {
      const data = {
        authorizationType: 'AzureSubscription',
        azureResourceGroup: 'rg2',
        kubernetesCluster: 'aks2',
        useClusterAdmin: 'false',
      };
      const { conn } = read({ scheme: 'Kubernetes', data }, AZURE);
      assert.deepEqual(conn?.kind === 'aks' && conn.cluster, {
        subscriptionId: 's-from-arm',
        resourceGroup: 'rg2',
        name: 'aks2',
      });
    });

    it("uses the service account token Azure DevOps stored in the connection, as Microsoft's tasks do", () => {
      const auth = { apiToken: Buffer.from('sa-token').toString('base64'), serviceAccountCertificate: 'Q0E=' };
      const { conn } = read({
        url: 'https://aks:443',
        scheme: 'Kubernetes',
        auth,
        data: { authorizationType: 'AzureSubscription', clusterId },
      });
      assert.equal(conn?.kind, 'serviceAccount');
      assert.equal(conn?.kind === 'serviceAccount' && conn.token, 'sa-token');
    });
  });

  describe('exec users replaced by tokens the task mints', () => {
    const users: [string, Record<string, unknown>, string | undefined][] = [
      ['kubelogin (AKS format=exec)', kubeloginUser('t', AKS_SERVER_APP_ID), 'kubelogin'],
      [
        'the legacy azure auth-provider',
        { 'auth-provider': { name: 'azure', config: { 'apiserver-id': 'x' } } },
        'kubelogin',
      ],
      ['oci ce cluster generate-token (OKE)', okeUser(CLUSTER, 'eu-frankfurt-1'), 'oke'],
      [
        'oci by path, on Windows',
        { exec: { command: 'C:\\oci\\oci.exe', args: ['ce', 'cluster', 'generate-token', '--cluster-id', 'c'] } },
        'oke',
      ],
      ['aws eks get-token', { exec: { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'x'] } }, undefined],
      ['a static token', { token: 'abc' }, undefined],
    ];
    for (const [name, user, plugin] of users) {
      it(`${name} → ${plugin ?? 'left to client-node'}`, () => {
        const kc = new KubeConfig();
        kc.loadFromString(kubeconfigWith(user));
        const found = Object.entries(EXEC_PLUGINS).find(([, p]) => p.matches(kc.getUsers()[0]))?.[0];
        assert.equal(found, plugin);
      });
    }

    it('reads --name value and --name=value', () => {
      assert.equal(argValue(['--server-id', 'a'], '--server-id'), 'a');
      assert.equal(argValue(['--server-id=b'], '--server-id'), 'b');
      assert.equal(argValue(['--server-idx=b'], '--server-id'), undefined);
    });

    it('an OKE kubeconfig without the OCI connection fails naming the connection and the input to set', () => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfigWith(okeUser(CLUSTER, 'eu-frankfurt-1')));
      const conn: KubernetesConnection = { kind: 'kubeconfig', connectionId: 'oke-k8s', sources: {}, kubeconfig: '' };
      assert.throws(
        () => replaceExecUsers(kc, { conn, secrets: new SecretRegistry(() => undefined) }),
        (err: unknown) =>
          err instanceof TaskError &&
          /connection 'oke-k8s'.*oci ce cluster generate-token/.test(err.message) &&
          /Set ociConnection/.test(err.fix ?? ''),
      );
    });

    it('an OKE user becomes a bearer token signed with the connection key, registered as a secret', async () => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfigWith(okeUser(CLUSTER, 'eu-frankfurt-1')));
      const sent: string[] = [];
      const conn: KubernetesConnection = {
        kind: 'kubeconfig',
        connectionId: 'oke-k8s',
        sources: { oci: OCI },
        kubeconfig: '',
      };
      const hint = replaceExecUsers(kc, { conn, secrets: new SecretRegistry((v) => sent.push(v)) });
      assert.match(hint!, /OKE token for cluster .* \(Kubernetes connection 'oke-k8s'\)/);
      const fetchOptions = await kc.applyToFetchOptions({});
      const header = String((fetchOptions.headers as unknown as Headers).get('authorization'));
      const token = header.replace(/^Bearer /, '');
      assert.deepEqual(verifyOkeToken(token, OKE), { ok: true, user: `oke:${OCI_TEST_KEY.user}` });
      assert.ok(sent.includes(token));
    });
  });
});

function kubeconfigWith(user: Record<string, unknown>): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:6443' } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  });
}
