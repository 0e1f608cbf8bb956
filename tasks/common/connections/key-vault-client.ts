import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { AgentNetwork, DIRECT } from '../network/agent-network';
import { azurePipelineOptions } from '../network/client-options';

/** Retries of 429/5xx/resets; Retry-After from Key Vault is honoured by the SDK's throttling policy. */
export interface KeyVaultRetry {
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
}

export const KEY_VAULT_RETRY: KeyVaultRetry = { maxRetries: 8, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };

/**
 * The options every Key Vault SDK client of the extension is built with (@azure/keyvault-secrets' SecretClient,
 * @azure/keyvault-keys' KeyClient): one retry policy, the agent's proxy and CA, a user agent naming the task.
 * The SDKs do the challenge-based auth (the token's audience comes from the vault's WWW-Authenticate resource,
 * so sovereign clouds get theirs) and verify that the challenge's resource matches the vault's host.
 */
export async function keyVaultClientOptions(opts: {
  network?: AgentNetwork;
  retry?: KeyVaultRetry;
  task: string;
}): Promise<{
  retryOptions: KeyVaultRetry;
  additionalPolicies: { position: 'perCall' | 'perRetry'; policy: PipelinePolicy }[];
  userAgentOptions: { userAgentPrefix: string };
}> {
  const { retryPolicy } = await import('@azure/core-rest-pipeline');
  const retry = opts.retry ?? KEY_VAULT_RETRY;
  // The SDK retries a 429 only when it carries Retry-After; gateways and throttling tiers send bare ones.
  const bare429 = retryPolicy(
    [
      {
        name: 'bare429',
        retry: ({ response, retryCount }) =>
          response?.status === 429 && !response.headers.get('retry-after')
            ? { retryAfterInMs: Math.min(retry.maxRetryDelayInMs, retry.retryDelayInMs * 2 ** retryCount) }
            : { skipStrategy: true },
      },
    ],
    { maxRetries: retry.maxRetries },
  );
  return {
    retryOptions: retry,
    additionalPolicies: [
      { position: 'perRetry', policy: bare429 },
      ...(azurePipelineOptions(opts.network ?? DIRECT).additionalPolicies ?? []),
    ],
    userAgentOptions: { userAgentPrefix: `multicloud-devsecops-${opts.task}` },
  };
}
