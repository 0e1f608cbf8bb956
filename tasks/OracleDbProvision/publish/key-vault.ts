import type { TokenCredential } from '@azure/core-auth';
import { TaskError, errorMessage } from '../../common/errors';
import { AgentNetwork, DIRECT } from '../../common/network/agent-network';
import { azurePipelineOptions } from '../../common/network/client-options';

/** What Key Vault holds under one name now (its latest version); `value` absent when the version is disabled. */
export interface VaultSecret {
  version?: string;
  value?: string;
  enabled: boolean;
  contentType?: string;
  tags: Record<string, string>;
}

/** The one thing publishing needs from Key Vault: read the current version, write a new one. */
export interface SecretVault {
  readonly host: string;
  current(name: string): Promise<VaultSecret | undefined>;
  write(name: string, value: string, contentType: string, tags: Record<string, string>): Promise<string | undefined>;
}

export interface KeyVaultWriterOptions {
  vaultUrl: string;
  credential: TokenCredential;
  signal: AbortSignal;
  network?: AgentNetwork;
  retry?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
}

const RETRY = { maxRetries: 8, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };

/**
 * Key Vault through @azure/keyvault-secrets: GetSecret (latest version) and SetSecret (a new version). The
 * SDK does the challenge-based auth and retries 429 (honouring Retry-After), 5xx and resets.
 */
export async function createKeyVaultWriter(opts: KeyVaultWriterOptions): Promise<SecretVault> {
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const client = new SecretClient(opts.vaultUrl, opts.credential, {
    retryOptions: opts.retry ?? RETRY,
    additionalPolicies: azurePipelineOptions(opts.network ?? DIRECT).additionalPolicies ?? [],
    userAgentOptions: { userAgentPrefix: 'multicloud-devsecops-OracleDbProvision' },
  });
  const host = new URL(opts.vaultUrl).hostname;
  return {
    host,
    async current(name) {
      try {
        const s = await client.getSecret(name, { abortSignal: opts.signal });
        return {
          version: s.properties.version,
          value: s.value,
          enabled: s.properties.enabled !== false,
          contentType: s.properties.contentType,
          tags: s.properties.tags ?? {},
        };
      } catch (err) {
        const e = err as { statusCode?: number; code?: string; message?: string };
        if (e.statusCode === 404) return undefined;
        // A disabled latest version cannot be read (403 SecretDisabled): publishing writes a new, enabled one.
        if (e.statusCode === 403 && /disabled/i.test(`${e.code ?? ''} ${e.message ?? ''}`))
          return { enabled: false, tags: {} };
        throw keyVaultWriteError(err, `Reading '${name}' from ${host} failed`, 'get');
      }
    },
    async write(name, value, contentType, tags) {
      try {
        const s = await client.setSecret(name, value, { contentType, tags, enabled: true, abortSignal: opts.signal });
        return s.properties.version;
      } catch (err) {
        throw keyVaultWriteError(err, `Writing '${name}' to ${host} failed`, 'set');
      }
    },
  };
}

/** SDK and identity errors as messages that say what to fix; never a request body (it carries the value). */
function keyVaultWriteError(err: unknown, what: string, permission: 'get' | 'set'): Error {
  if (err instanceof TaskError || (err as { name?: string }).name === 'AbortError') return err as Error;
  const status = (err as { statusCode?: number }).statusCode;
  const first = errorMessage(err).split(/\r?\n/)[0];
  if (status === 403)
    return new TaskError(
      `${what}: access denied (${first}).`,
      `Grant the connection's identity the 'Key Vault Secrets Officer' role on the vault, or an access policy with secret get and set permissions (${permission} was refused).`,
    );
  if (status === 404)
    return new TaskError(
      `${what}: the vault was not found (${first}).`,
      "Check keyVaultName and the connection's cloud.",
    );
  const name = (err as { name?: string }).name;
  if (name === 'AuthenticationError' || name === 'CredentialUnavailableError')
    return new TaskError(
      `${what}: signing in to Microsoft Entra ID failed: ${first}`,
      'Check the Azure service connection (tenant, client id, secret, certificate or federated credential).',
    );
  return new TaskError(`${what}: ${first}`);
}
