import { Endpoint } from '../../devkit/agent/agent-run';
import { EntraEmulator, startEntra } from '../../devkit/emulators/entra';
import { KeyVaultEmulator, startKeyVault } from '../../devkit/emulators/keyvault';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { ConnectProxy, startConnectProxy } from '../../devkit/net/connect-proxy';
import { ociEndpoint } from '../../devkit/support/oci-test-key';

export const PUBLISH_CLIENT_ID = '3b9d2f1e-6a4c-4e8b-9f0a-1c2d3e4f5a6b';
export const PUBLISH_CLIENT_SECRET = 'db-publish-spn~Secret.7';
export const PUBLISH_VAULT = 'kv-orders';
export const ADMIN_SECRET_ID = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaamcdsoadminpw01';

/**
 * What a publishing OracleDbProvision run talks to: the OCI Database emulator, Entra, a Key Vault reached under
 * its real host name through a CONNECT proxy (the agent's proxy, Agent.ProxyUrl), and a kube-apiserver.
 */
export interface PublishWorld {
  oci: OciDatabaseEmulator;
  entra: EntraEmulator;
  kv: KeyVaultEmulator;
  kube: KubeApiServer;
  proxy: ConnectProxy;
  endpoints: Record<string, Endpoint>;
  /** Agent variables that route the task through the proxy. */
  variables: Record<string, string>;
  close(): Promise<void>;
}

export async function startPublishWorld(): Promise<PublishWorld> {
  const oci = await OciDatabaseEmulator.start({
    delays: { provision: 150, update: 30, start: 30, stop: 30, terminate: 30, backup: 30 },
  });
  const entra = await startEntra();
  entra.register({ clientId: PUBLISH_CLIENT_ID, clientSecret: PUBLISH_CLIENT_SECRET });
  const kv = await startKeyVault({ entra, vaultName: PUBLISH_VAULT });
  const kube = await KubeApiServer.start({ namespaces: ['db', 'shop'] });
  const proxy = await startConnectProxy({ [kv.hostname]: kv.port });
  return {
    oci,
    entra,
    kv,
    kube,
    proxy,
    endpoints: {
      oci: ociEndpoint(oci.url),
      k8s: kube.endpoint(),
      azure: {
        url: 'https://management.azure.com/',
        scheme: 'ServicePrincipal',
        auth: {
          tenantid: entra.tenantId,
          serviceprincipalid: PUBLISH_CLIENT_ID,
          authenticationType: 'spnKey',
          serviceprincipalkey: PUBLISH_CLIENT_SECRET,
        },
        data: { environmentAuthorityUrl: entra.authorityHost, AzureKeyVaultDnsSuffix: 'vault.azure.net' },
      },
    },
    variables: { 'Agent.ProxyUrl': proxy.url },
    close: async () => {
      await proxy.close();
      await Promise.all([oci.close(), entra.close(), kv.close(), kube.close()]);
    },
  };
}

export const publishInputs = (over: Record<string, string> = {}): Record<string, string> => ({
  publishToKeyVault: 'true',
  azureSubscription: 'azure',
  keyVaultName: PUBLISH_VAULT,
  walletPassword: 'Wallet-pass-77',
  ...over,
});
