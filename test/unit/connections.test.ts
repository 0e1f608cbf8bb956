import { strict as assert } from 'node:assert';
import { generateKeyPairSync, verify } from 'node:crypto';
import { createAzureCredential, readAzureRmConnection } from '../../tasks/common/connections/azure-rm';
import { readDockerRegistryConnection, registryHost } from '../../tasks/common/connections/docker-registry';
import { createKubeConfig } from '../../tasks/common/connections/kube-config';
import { readKubernetesConnection } from '../../tasks/common/connections/kubernetes';
import { createOciAuthProvider, readOciConnection } from '../../tasks/common/connections/oci';
import { InputError } from '../../tasks/common/errors';
import { InputReader } from '../../tasks/common/inputs';
import { TaskManifest } from '../../tasks/common/manifest';
import { SecretRegistry } from '../../tasks/common/secrets';
import { Endpoint } from '../../devkit/agent/agent-run';
import { RecordingHost } from '../../devkit/agent/recording-host';
import { azureRm, oci } from '../blackbox/fixtures';

const manifest: TaskManifest = {
  id: 'x',
  name: 'Sample',
  friendlyName: 'Sample',
  version: { Major: 0, Minor: 1, Patch: 0 },
  inputs: [{ name: 'conn', type: 'connectedService:any', label: 'Connection', required: true }],
};

function setup(
  endpoint: Endpoint,
  variables: Record<string, string> = {},
): { reader: InputReader; host: RecordingHost; sent: string[] } {
  const host = new RecordingHost({ conn: 'ep1' }, variables, { ep1: endpoint });
  const sent: string[] = [];
  return {
    reader: new InputReader({ get: (n) => host.input(n) }, manifest, new SecretRegistry((v) => sent.push(v))),
    host,
    sent,
  };
}

function problemsOf(reader: InputReader): string {
  try {
    reader.check();
    return '';
  } catch (err) {
    assert.ok(err instanceof InputError);
    return err.message;
  }
}

describe('service connections', () => {
  describe("OCI (the extension's endpoint type)", () => {
    it('yields an oci-common provider whose signatures verify with the public key', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const { reader, host, sent } = setup(oci({ privateKey: pem }));
      const conn = readOciConnection(reader, host.endpoints, 'conn');
      reader.check();
      assert.ok(conn);
      assert.ok(sent.includes(pem.split('\n')[1]), 'each PEM line is registered');
      const provider = await createOciAuthProvider(conn);
      assert.equal(await provider.getKeyId(), `${conn.tenancy}/${conn.user}/${conn.fingerprint}`);
      const common = await import('oci-common');
      const headers = new Headers({ date: new Date().toUTCString() });
      const request = {
        method: 'GET' as const,
        uri: 'https://vaults.eu-frankfurt-1.oci.oraclecloud.com/20180608/secrets?vaultId=x',
        headers,
      };
      await new common.DefaultRequestSigner(provider).signHttpRequest(request);
      const auth = headers.get('authorization') ?? '';
      const signed = /headers="([^"]+)"/.exec(auth)![1].split(' ');
      const signature = /signature="([^"]+)"/.exec(auth)![1];
      const lines = signed.map((h) =>
        h === '(request-target)' ? '(request-target): get /20180608/secrets?vaultId=x' : `${h}: ${headers.get(h)}`,
      );
      assert.ok(
        verify('sha256', Buffer.from(lines.join('\n')), publicKey, Buffer.from(signature, 'base64')),
        'signature verifies',
      );
    });

    it('names every malformed field without quoting the key', () => {
      const { reader, host } = setup(
        oci({ tenancy: 'ocid1.user.oc1..x', fingerprint: 'zz', region: 'Frankfurt', privateKey: 'MIIsecretmaterial' }),
      );
      assert.equal(readOciConnection(reader, host.endpoints, 'conn'), undefined);
      const text = problemsOf(reader);
      assert.match(
        text,
        /tenancy 'ocid1\.user\.oc1\.\.x' is not a tenancy OCID.*; fingerprint 'zz'.*; region 'Frankfurt'.*; the private key is not a PEM private key/,
      );
      assert.ok(!text.includes('MIIsecretmaterial'));
    });
  });

  describe('Kubernetes', () => {
    it('decodes a service account token, trusts the given CA and registers the token', async () => {
      const token = 'eyJhbGciOiJSUzI1NiJ9.sa-token-body.sig';
      const { reader, host, sent } = setup({
        url: 'https://oke.example:6443',
        scheme: 'Token',
        auth: {
          apiToken: Buffer.from(token).toString('base64'),
          serviceAccountCertificate: Buffer.from('CA').toString('base64'),
        },
        data: { authorizationType: 'ServiceAccount' },
      });
      const conn = readKubernetesConnection(reader, host.endpoints, 'conn');
      reader.check();
      assert.ok(sent.includes(token));
      const kc = await createKubeConfig(conn!, { secrets: new SecretRegistry(() => undefined) });
      assert.equal(kc.getCurrentCluster()?.server, 'https://oke.example:6443');
      assert.equal(kc.getCurrentUser()?.token, token);
    });

    it('loads a kubeconfig, selects the given context and registers its credentials', async () => {
      const kubeconfig = `apiVersion: v1
kind: Config
current-context: a
clusters: [{name: ka, cluster: {server: "https://a:6443"}}, {name: kb, cluster: {server: "https://b:6443"}}]
users: [{name: ua, user: {token: token-of-a}}, {name: ub, user: {token: token-of-b}}]
contexts: [{name: a, context: {cluster: ka, user: ua}}, {name: b, context: {cluster: kb, user: ub}}]`;
      const { reader, host } = setup({
        scheme: 'Kubernetes',
        auth: { kubeconfig, clusterContext: 'b' },
        data: { authorizationType: 'Kubeconfig' },
      });
      const conn = readKubernetesConnection(reader, host.endpoints, 'conn');
      const sent: string[] = [];
      const kc = await createKubeConfig(conn!, { secrets: new SecretRegistry((v) => sent.push(v)) });
      assert.equal(kc.getCurrentCluster()?.server, 'https://b:6443');
      assert.ok(sent.includes('token-of-a') && sent.includes('token-of-b'));
    });

    it('asks for the Azure connection an Azure Subscription connection without a token needs', () => {
      const clusterId =
        '/subscriptions/s1/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1';
      const { reader, host } = setup({ data: { authorizationType: 'AzureSubscription', clusterId } });
      readKubernetesConnection(reader, host.endpoints, 'conn', { azureInput: 'azureSubscriptionEndpoint' });
      assert.match(
        problemsOf(reader),
        /Azure Subscription connection to AKS cluster 'aks1'.*Set azureSubscriptionEndpoint/,
      );
      // A task that offers no AzureRM input (OracleDbProvision) says what connection works instead.
      const other = setup({ data: { authorizationType: 'AzureSubscription', clusterId } });
      readKubernetesConnection(other.reader, other.host.endpoints, 'conn');
      assert.match(problemsOf(other.reader), /does not read them from ARM\. Use a Kubeconfig connection/);
    });
  });

  describe('AzureRM', () => {
    const table: [string, Endpoint, Record<string, string>, string][] = [
      ['client secret', azureRm(), {}, 'ClientSecretCredential'],
      [
        'workload identity federation',
        {
          ...azureRm(),
          scheme: 'WorkloadIdentityFederation',
          auth: { tenantid: azureRm().auth!.tenantid, serviceprincipalid: azureRm().auth!.serviceprincipalid },
        },
        { 'System.AccessToken': 'job-access-token' },
        'AzurePipelinesCredential',
      ],
      ['managed identity', { scheme: 'ManagedServiceIdentity', auth: {} }, {}, 'ManagedIdentityCredential'],
    ];
    // AzurePipelinesCredential reads the agent's SYSTEM_OIDCREQUESTURI from the environment itself.
    before(() => (process.env.SYSTEM_OIDCREQUESTURI = 'https://oidc.example/x'));
    after(() => delete process.env.SYSTEM_OIDCREQUESTURI);
    for (const [name, endpoint, variables, credential] of table) {
      it(`builds a ${credential} for ${name}`, async () => {
        const { reader, host } = setup(endpoint, { 'System.OidcRequestUri': 'https://oidc.example/x', ...variables });
        const conn = readAzureRmConnection(reader, host.endpoints, 'conn');
        reader.check();
        const cred = await createAzureCredential(conn!, host);
        assert.equal(cred.constructor.name, credential);
      });
    }

    it('takes the cloud from the connection and skips instance discovery for unknown authorities', () => {
      const { reader, host } = setup({
        ...azureRm(),
        url: 'https://127.0.0.1:8443',
        data: {
          environmentAuthorityUrl: 'https://127.0.0.1:9443',
          activeDirectoryServiceEndpointResourceId: 'https://management.core.windows.net/',
        },
      });
      const conn = readAzureRmConnection(reader, host.endpoints, 'conn')!;
      assert.equal(conn.resourceManagerUrl, 'https://127.0.0.1:8443/');
      assert.equal(conn.authorityHost, 'https://127.0.0.1:9443/');
      assert.equal(conn.armScope, 'https://management.core.windows.net/.default');
    });

    it('requires the job access token and OIDC endpoint for workload identity federation', async () => {
      const { reader, host } = setup({ ...azureRm(), scheme: 'WorkloadIdentityFederation' });
      const conn = readAzureRmConnection(reader, host.endpoints, 'conn');
      await assert.rejects(createAzureCredential(conn!, host), /the agent passed none/);
      const saved = process.env.SYSTEM_OIDCREQUESTURI;
      delete process.env.SYSTEM_OIDCREQUESTURI;
      const withToken = setup(
        { ...azureRm(), scheme: 'WorkloadIdentityFederation' },
        { 'System.AccessToken': 'job-token' },
      );
      const conn2 = readAzureRmConnection(withToken.reader, withToken.host.endpoints, 'conn');
      await assert.rejects(createAzureCredential(conn2!, withToken.host), /System\.OidcRequestUri/);
      process.env.SYSTEM_OIDCREQUESTURI = saved;
    });

    it('registers the client secret and refuses a missing one', () => {
      const ok = setup(azureRm('s3cret-spn-key'));
      readAzureRmConnection(ok.reader, ok.host.endpoints, 'conn');
      assert.ok(ok.sent.includes('s3cret-spn-key'));
      const missing = setup({
        ...azureRm(),
        auth: { tenantid: azureRm().auth!.tenantid, serviceprincipalid: azureRm().auth!.serviceprincipalid },
      });
      readAzureRmConnection(missing.reader, missing.host.endpoints, 'conn');
      assert.match(problemsOf(missing.reader), /has no service principal key/);
    });
  });

  describe('Docker registry', () => {
    it('maps an ACR service-principal connection to Basic credentials', () => {
      const { reader, host, sent } = setup({
        scheme: 'ServicePrincipal',
        auth: { loginServer: 'contoso.azurecr.io', serviceprincipalid: 'app-id', serviceprincipalkey: 'app-secret-1' },
      });
      assert.deepEqual(readDockerRegistryConnection(reader, host.endpoints, 'conn'), {
        registry: 'contoso.azurecr.io',
        username: 'app-id',
        password: 'app-secret-1',
      });
      assert.ok(sent.includes('app-secret-1'));
    });

    it('normalises registry URLs to hosts', () => {
      assert.equal(registryHost('https://Contoso.azurecr.io/v1/'), 'contoso.azurecr.io');
      assert.equal(registryHost('https://index.docker.io/v1/'), 'registry-1.docker.io');
      assert.equal(registryHost('127.0.0.1:5000'), '127.0.0.1:5000');
    });
  });
});
