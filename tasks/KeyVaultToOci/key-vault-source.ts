import { AgentNetwork } from '../common/network/agent-network';
import { KEY_VAULT_RETRY, KeyVaultRetry, keyVaultClientOptions } from '../common/connections/key-vault-client';
import type { TokenCredential } from '@azure/core-auth';
import { TaskError, errorMessage } from '../common/errors';
import { SecretSource, SourceSecret } from './sync-model';

export interface KeyVaultSourceOptions {
  network?: AgentNetwork;
  vaultUrl: string;
  credential: TokenCredential;
  signal: AbortSignal;
  /** Retries of 429/5xx/resets; Retry-After from Key Vault is honoured by the SDK's throttling policy. */
  retry?: KeyVaultRetry;
}

export { KEY_VAULT_RETRY };

/** Azure Key Vault through @azure/keyvault-secrets (challenge-based auth, paging, retries by the SDK). */
export async function createKeyVaultSource(opts: KeyVaultSourceOptions): Promise<SecretSource> {
  const [{ SecretClient }, options] = await Promise.all([
    import('@azure/keyvault-secrets'),
    keyVaultClientOptions({ network: opts.network, retry: opts.retry, task: 'KeyVaultToOci' }),
  ]);
  const client = new SecretClient(opts.vaultUrl, opts.credential, options);
  const vault = new URL(opts.vaultUrl).hostname;
  return {
    description: `Key Vault ${vault}`,
    async list(): Promise<SourceSecret[]> {
      const out: SourceSecret[] = [];
      try {
        for await (const page of client
          .listPropertiesOfSecrets({ abortSignal: opts.signal })
          .byPage({ maxPageSize: 25 })) {
          for (const p of page)
            out.push({
              name: p.name,
              enabled: p.enabled !== false,
              notBefore: p.notBefore,
              expiresOn: p.expiresOn,
              contentType: p.contentType,
              tags: p.tags,
            });
        }
      } catch (err) {
        throw keyVaultError(err, `Listing the secrets of ${vault} failed`, 'list');
      }
      return out;
    },
    async read(name: string): Promise<{ value: string; version?: string }> {
      try {
        const secret = await client.getSecret(name, { abortSignal: opts.signal });
        return { value: secret.value ?? '', version: secret.properties.version };
      } catch (err) {
        throw keyVaultError(err, `Reading '${name}' from ${vault} failed`, 'get');
      }
    },
  };
}

/** Turns SDK and identity errors into messages that say what to fix; never includes a request body. */
export function keyVaultError(err: unknown, what: string, permission: 'get' | 'list'): Error {
  if (err instanceof TaskError || (err as { name?: string }).name === 'AbortError') return err as Error;
  const status = (err as { statusCode?: number }).statusCode;
  const first = errorMessage(err).split(/\r?\n/)[0];
  if (status === 403) {
    return new TaskError(
      `${what}: access denied (${first}).`,
      `Grant the connection's service principal the 'Key Vault Secrets User' role, or an access policy with secret ${permission === 'list' ? 'get and list' : 'get'} permissions.`,
    );
  }
  if (status === 404 && permission === 'list')
    return new TaskError(
      `${what}: the vault was not found (${first}).`,
      "Check keyVaultName and the connection's cloud.",
    );
  if (
    (err as { name?: string }).name === 'AuthenticationError' ||
    (err as { name?: string }).name === 'CredentialUnavailableError'
  ) {
    return new TaskError(
      `${what}: signing in to Microsoft Entra ID failed: ${first}`,
      'Check the Azure service connection (tenant, client id, secret, certificate or federated credential).',
    );
  }
  return new TaskError(`${what}: ${first}`);
}
