import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerRecord } from '../../tasks/common/ledger';
import { runTask } from '../../tasks/common/runner';
import { definition } from '../../tasks/KeyVaultToOci/definition';
import { DEFAULT_TUNING, SyncTuning, syncSecrets } from '../../tasks/KeyVaultToOci/sync';
import { AgentRunResult, Endpoint, runTaskLikeAgent } from '../agent/agent-run';
import { RecordingHost } from '../agent/recording-host';
import { EntraEmulator, startEntra } from '../emulators/entra';
import { KeyVaultEmulator, startKeyVault } from '../emulators/keyvault';
import { OciVaultEmulator, startOciVault } from '../emulators/oci-vault';
import { ociEndpoint } from '../support/oci-test-key';
import { issueCert } from '../support/test-ca';
import { ConnectProxy, startConnectProxy } from '../net/connect-proxy';

/**
 * Everything one KeyVaultToOci run talks to: Entra, a Key Vault (reached through a CONNECT proxy under its
 * real host name) and an OCI Vault, plus the connections and inputs that point the task at them.
 */
export const CLIENT_ID = '0e2c7a0d-3e5b-4a8e-9c51-1f2b3c4d5e6f';
export const CLIENT_SECRET = 'kv-sync-spn-secret~Value.42';
export const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaamcdsotestcompartment';
export const VAULT = 'ocid1.vault.oc1.eu-frankfurt-1.aaaaaaaamcdsotestvault';
export const KEY = 'ocid1.key.oc1.eu-frankfurt-1.aaaaaaaamcdsotestkey';
export const KV_NAME = 'kv-shop';

/** Fast backoff for in-process runs; black-box runs use the task's real defaults. */
export const FAST: SyncTuning = {
  ...DEFAULT_TUNING,
  ociRetry: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 200 },
  keyVaultRetry: { maxRetries: 8, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
  pollMs: 20,
};

export interface KvWorld {
  entra: EntraEmulator;
  kv: KeyVaultEmulator;
  oci: OciVaultEmulator;
  proxy: ConnectProxy;
  endpoints: Record<string, Endpoint>;
  inputs: Record<string, string>;
  close(): Promise<void>;
}

/** `transitionMs` / `transitionRequests`: how long the OCI Vault's transitional states last (see startOciVault). */
export async function startWorld(opts: { transitionMs?: number; transitionRequests?: number } = {}): Promise<KvWorld> {
  const entra = await startEntra();
  const clientCert = issueCert({ names: ['kv-sync-client'], days: 3 });
  entra.register({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    certificatePem: clientCert.cert,
    federatedServiceConnectionId: 'azure-wif',
  });
  const kv = await startKeyVault({ entra, vaultName: KV_NAME, pageSize: 3 });
  const oci = await startOciVault({
    vaults: [{ id: VAULT, compartmentId: COMPARTMENT, keyIds: [KEY] }],
    pageSize: 2,
    transitionMs: opts.transitionMs,
    transitionRequests: opts.transitionRequests,
  });
  const proxy = await startConnectProxy({ [kv.hostname]: kv.port });
  const azure = (scheme: string, auth: Record<string, string>): Endpoint => ({
    url: 'https://management.azure.com/',
    scheme,
    auth: { tenantid: entra.tenantId, serviceprincipalid: CLIENT_ID, ...auth },
    data: { environmentAuthorityUrl: entra.authorityHost, AzureKeyVaultDnsSuffix: 'vault.azure.net' },
  });
  return {
    entra,
    kv,
    oci,
    proxy,
    endpoints: {
      azure: azure('ServicePrincipal', { authenticationType: 'spnKey', serviceprincipalkey: CLIENT_SECRET }),
      'azure-wif': azure('WorkloadIdentityFederation', {}),
      'azure-cert': azure('ServicePrincipal', {
        authenticationType: 'spnCertificate',
        servicePrincipalCertificate: `${clientCert.cert}${clientCert.key}`,
      }),
      oci: ociEndpoint(oci.url),
    },
    inputs: {
      azureSubscription: 'azure',
      keyVaultName: KV_NAME,
      secrets: '*',
      ociConnection: 'oci',
      compartmentId: COMPARTMENT,
      vaultId: VAULT,
      keyId: KEY,
      timeoutMinutes: '2',
    },
    close: async () => {
      await proxy.close();
      await Promise.all([entra.close(), kv.close(), oci.close()]);
    },
  };
}

export interface InProcessRun {
  host: RecordingHost;
  code: number;
  record?: LedgerRecord;
  /** Log lines, result message and record/summary files: what a person or the hub could see. */
  visible: string;
}

/** runTask in this process (RecordingHost), with the Azure SDK pointed at the proxy the way an agent's env would. */
export async function runInProcess(
  world: KvWorld,
  inputs: Record<string, string> = {},
  opts: {
    variables?: Record<string, string>;
    tuning?: SyncTuning;
    env?: Record<string, string>;
    onSecret?: (value: string) => void;
    timeoutMs?: number;
  } = {},
): Promise<InProcessRun> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-kv-'));
  const host = new RecordingHost(
    { ...world.inputs, ...inputs },
    { 'Agent.TempDirectory': tempDir, ...opts.variables },
    world.endpoints,
  );
  const setSecret = host.setSecret.bind(host);
  host.setSecret = (value) => {
    opts.onSecret?.(value);
    setSecret(value);
  };
  const env: Record<string, string> = { HTTPS_PROXY: world.proxy.url, ...opts.env };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const timeout = opts.timeoutMs ? () => ({ ms: opts.timeoutMs!, input: 'timeoutMinutes' }) : definition.timeout;
    const code = await runTask(
      { ...definition, timeout, execute: (ctx, o) => syncSecrets(ctx, o, opts.tuning ?? FAST) },
      host,
    );
    const files = [...host.attachments.map((a) => a.path), ...host.summaries].map((p) => fs.readFileSync(p, 'utf8'));
    const recordPath = host.attachments[0]?.path;
    const record = recordPath ? (JSON.parse(fs.readFileSync(recordPath, 'utf8')) as LedgerRecord) : undefined;
    return { host, code, record, visible: [...host.lines, host.result?.message ?? '', ...files].join('\n') };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The packaged (or any bundled) task in a child process, exactly as the agent starts it. */
export function runLikeAgent(
  world: KvWorld,
  taskDir: string,
  inputs: Record<string, string> = {},
  variables: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<AgentRunResult> {
  return runTaskLikeAgent({
    taskDir,
    inputs: { ...world.inputs, ...inputs },
    endpoints: world.endpoints,
    variables,
    // The job token as every agent hands it over (SYSTEMVSSCONNECTION), not as System.AccessToken.
    systemAccessToken: world.entra.systemAccessToken,
    env: { HTTPS_PROXY: world.proxy.url, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '', ...env },
    timeoutMs: 90_000,
  });
}
