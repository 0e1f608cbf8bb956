import type { DatabaseClient } from 'oci-database';
import type { SecretsClient } from 'oci-secrets';
import type { WorkRequestClient } from 'oci-workrequests';
import type { RetryConfiguration } from 'oci-common';
import { OciConnection, createOciAuthProvider } from '../../common/connections/oci';
import { TaskError, isTaskError } from '../../common/errors';
import { DEFAULT_RETRY_POLICY, RetryPolicy, backoffDelay } from '../../common/retry-policy';

export interface OciClients {
  database: DatabaseClient;
  workRequests: WorkRequestClient;
  secrets: SecretsClient;
}

/** Statuses worth another attempt: throttling and the server's own transient failures. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * The SDK retries most Autonomous Database calls not at all by default, so every client gets
 * an explicit configuration: the project's backoff with jitter on 429/5xx and network failures,
 * never past the task's deadline. Creates are safe to repeat because they carry opc-retry-token.
 */
export function retryConfiguration(deadline: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, now: () => number = Date.now): RetryConfiguration {
  return {
    retryCondition: (err) => {
      const status = Number(err.statusCode);
      return Number.isNaN(status) || status === -1 || RETRYABLE_STATUS.has(status);
    },
    delayStrategy: { delay: (ctx) => backoffDelay(ctx.attemptCount + 1, policy, Math.random) / 1000 },
    terminationStrategy: {
      shouldTerminate: (ctx) => ctx.attemptCount + 1 >= policy.maxAttempts || now() + backoffDelay(ctx.attemptCount + 1, policy, () => 1) >= deadline,
    },
  };
}

export async function createOciClients(conn: OciConnection, deadline: number, policy?: RetryPolicy): Promise<OciClients> {
  const [{ DatabaseClient }, { WorkRequestClient }, { SecretsClient }] = await Promise.all([import('oci-database'), import('oci-workrequests'), import('oci-secrets')]);
  const authenticationDetailsProvider = await createOciAuthProvider(conn);
  const config = { retryConfiguration: retryConfiguration(deadline, policy) };
  const database = new DatabaseClient({ authenticationDetailsProvider }, config);
  // Database work requests are served by the core Work Requests API, next to the Database API.
  const workRequests = new WorkRequestClient({ authenticationDetailsProvider }, config);
  const secrets = new SecretsClient({ authenticationDetailsProvider }, config);
  if (conn.endpoint) {
    const base = conn.endpoint.replace(/\/+$/, '');
    database.endpoint = base;
    workRequests.endpoint = base;
    secrets.endpoint = base;
  }
  return { database, workRequests, secrets };
}

interface OciErrorLike {
  statusCode?: number;
  serviceCode?: string;
  message?: string;
  opcRequestId?: string | null;
}

/** Turns an SDK error into a message that says what failed and what to do about it. */
export function ociFailure(err: unknown, what: string): Error {
  if (isTaskError(err)) return err;
  const e = (err ?? {}) as OciErrorLike;
  const status = Number(e.statusCode);
  const code = e.serviceCode && e.serviceCode !== 'None' ? e.serviceCode : undefined;
  const detail = `${code ? `${code}: ` : ''}${(e.message ?? String(err)).trim()}`;
  const request = e.opcRequestId ? ` (opc-request-id ${e.opcRequestId})` : '';
  const message = `OCI refused to ${what}: HTTP ${Number.isNaN(status) ? 'error' : status} ${detail}${request}.`;
  switch (status) {
    case 400:
      return new TaskError(message, 'Fix the setting OCI names above in the task inputs.');
    case 401:
      return new TaskError(message, "Check the OCI connection: user OCID, key fingerprint and private key must match an API key of that user, and the agent's clock must be right.");
    case 403:
      return new TaskError(message, 'Grant the connection\'s user a policy such as "allow group … to manage autonomous-database-family in compartment …".');
    case 404:
      return new TaskError(message, 'Check the compartment and OCIDs, and that the user\'s policies let it see them (OCI answers 404 for resources you may not read).');
    case 409:
      return new TaskError(message, code === 'IncorrectState' ? 'Another operation is running on the database; run the task again when it has finished.' : 'The request conflicts with the current state of the resource.');
    case 429:
      return new TaskError(`${message} Retries with backoff did not get through before the deadline.`, "Reduce the number of parallel OCI calls in the tenancy or raise 'waitTimeoutMinutes'.");
    default:
      if (status >= 500) return new TaskError(message, 'OCI had a server-side problem; retries did not get through. Run the task again later.');
      return new TaskError(`Could not reach OCI to ${what}: ${detail}.`, "Check the network path to the OCI endpoint (proxy, firewall) and the OCI connection's region or API endpoint.");
  }
}
