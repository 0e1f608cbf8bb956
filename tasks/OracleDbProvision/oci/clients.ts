import type { DatabaseClient } from 'oci-database';
import type { SecretsClient } from 'oci-secrets';
import type { WorkRequestClient } from 'oci-workrequests';
import type { RetryConfiguration } from 'oci-common';
import { OciConnection } from '../../common/connections/oci';
import { ociClientFactory } from '../../common/oci/clients';
import { OciFixes, ociAnswer, ociFailure as mapOciFailure } from '../../common/oci/errors';
import { ociRetryConfiguration } from '../../common/oci/retry';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../../common/retry-policy';

export interface OciClients {
  database: DatabaseClient;
  workRequests: WorkRequestClient;
  secrets: SecretsClient;
}

/**
 * Autonomous Database calls: 429/5xx and network failures are retried, 409 IncorrectState is not
 * (the planner waits for the database to settle instead). Creates are safe to repeat because they
 * carry opc-retry-token.
 */
export function retryConfiguration(
  deadline: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  now: () => number = Date.now,
): RetryConfiguration {
  return ociRetryConfiguration({ policy, deadline, now });
}

export async function createOciClients(
  conn: OciConnection,
  deadline: number,
  policy?: RetryPolicy,
): Promise<OciClients> {
  const [{ DatabaseClient }, { WorkRequestClient }, { SecretsClient }] = await Promise.all([
    import('oci-database'),
    import('oci-workrequests'),
    import('oci-secrets'),
  ]);
  const oci = await ociClientFactory(conn, { policy: policy ?? DEFAULT_RETRY_POLICY, deadline });
  // Database work requests are served by the core Work Requests API, next to the Database API.
  return {
    database: oci.create(DatabaseClient),
    workRequests: oci.create(WorkRequestClient),
    secrets: oci.create(SecretsClient),
  };
}

const FIXES: OciFixes = {
  byStatus: {
    400: 'Fix the setting OCI names above in the task inputs.',
    401: "Check the OCI connection: user OCID, key fingerprint and private key must match an API key of that user, and the agent's clock must be right.",
    403: 'Grant the connection\'s user a policy such as "allow group … to manage autonomous-database-family in compartment …".',
    404: "Check the compartment and OCIDs, and that the user's policies let it see them (OCI answers 404 for resources you may not read).",
    409: (code) =>
      code === 'IncorrectState'
        ? 'Another operation is running on the database; run the task again when it has finished.'
        : 'The request conflicts with the current state of the resource.',
    429: "Retries with backoff did not get through before the deadline. Reduce the number of parallel OCI calls in the tenancy or raise 'waitTimeoutMinutes'.",
  },
  server: 'OCI had a server-side problem; retries did not get through. Run the task again later.',
  unreachable:
    "Check the network path to the OCI endpoint (proxy, firewall) and the OCI connection's region or API endpoint.",
};

/** Turns an SDK error into a message that says what failed and what to do about it. */
export function ociFailure(err: unknown, what: string): Error {
  const answered = ociAnswer(err).status !== undefined;
  return mapOciFailure(err, answered ? `OCI refused to ${what}` : `Could not reach OCI to ${what}`, FIXES, 'HTTP ');
}
