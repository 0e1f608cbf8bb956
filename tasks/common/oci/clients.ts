import type { AuthParams, ClientConfiguration } from 'oci-common';
import { OciConnection, createOciAuthProvider } from '../connections/oci';
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
export async function ociClientFactory(conn: OciConnection, retry: OciRetryOptions): Promise<OciClientFactory> {
  const common = await import('oci-common');
  const authenticationDetailsProvider = await createOciAuthProvider(conn);
  const circuitBreaker = new common.CircuitBreaker({ disableClientCircuitBreaker: true });
  return {
    create<C>(Client: OciClientClass<C>, overrides: Partial<OciRetryOptions> = {}): C {
      const retryConfiguration = ociRetryConfiguration(
        { ...retry, ...overrides },
        common.MaxAttemptsTerminationStrategy,
      );
      const client = new Client({ authenticationDetailsProvider }, { retryConfiguration, circuitBreaker });
      if (conn.endpoint) client.endpoint = conn.endpoint.replace(/\/+$/, '');
      return client;
    },
  };
}
