import type { AuthParams, ClientConfiguration } from 'oci-common';
import { OciConnection, createOciAuthProvider } from '../connections/oci';
import { AgentNetwork, DIRECT } from '../network/agent-network';
import { ociHttpOptions } from '../network/node-agents';
import { OciRetryOptions, ociRetryConfiguration } from './retry';

/** Any per-service client of the OCI SDK (oci-database, oci-vault, oci-secrets, …). */
type OciClientClass<C> = new (params: AuthParams, config?: ClientConfiguration) => C & { endpoint: string };

export interface OciClientFactory {
  /** A client of one service, signed as the connection's user, with the task's retry configuration. */
  create<C>(Client: OciClientClass<C>, retry?: Partial<OciRetryOptions>): C;
}

/**
 * The one place OCI clients are made: the connection's signer, retries configured explicitly (the
 * project's backoff, bounded by the deadline) and no circuit breaker: the SDK's default one opens
 * under a 429 storm and then fails every call for 30 s, while our retries already back off. The SDK
 * is loaded only by executors that call OCI.
 */
export async function ociClientFactory(
  conn: OciConnection,
  retry: OciRetryOptions,
  network: AgentNetwork = DIRECT,
): Promise<OciClientFactory> {
  const common = await import('oci-common');
  const authenticationDetailsProvider = await createOciAuthProvider(conn);
  const circuitBreaker = new common.CircuitBreaker({ disableClientCircuitBreaker: true });
  return {
    create<C>(Client: OciClientClass<C>, overrides: Partial<OciRetryOptions> = {}): C {
      const retryConfiguration = ociRetryConfiguration(
        { ...retry, ...overrides },
        common.MaxAttemptsTerminationStrategy,
      );
      let client = new Client({ authenticationDetailsProvider }, { retryConfiguration, circuitBreaker });
      const endpoint = conn.endpoint?.replace(/\/+$/, '') ?? client.endpoint;
      // The agent's proxy and CA as a Node agent (oci-common then sends with node-fetch); the proxy is
      // chosen for this client's endpoint, so the bypass list applies per service.
      const httpOptions = ociHttpOptions(network, endpoint);
      if (httpOptions) {
        // The SDK's circuit breaker sends with the global fetch and drops the agent: give the client
        // an HTTP client of its own (no breaker; our retries back off) that honours httpOptions.
        const httpClient = new common.FetchHttpClient(
          new common.DefaultRequestSigner(authenticationDetailsProvider),
          null,
          httpOptions,
        );
        const params = { authenticationDetailsProvider, httpClient } as unknown as AuthParams;
        client = new Client(params, { retryConfiguration, circuitBreaker, httpOptions });
      }
      client.endpoint = endpoint;
      return client;
    },
  };
}
