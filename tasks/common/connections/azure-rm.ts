import type { TokenCredential } from '@azure/core-auth';
import { TaskError } from '../errors';
import { EndpointAccessor, TaskHost } from '../host';
import { InputReader } from '../inputs';
import { AgentNetwork, DIRECT } from '../network/agent-network';
import { azurePipelineOptions } from '../network/client-options';

export type AzureAuth =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificatePem: string }
  | { kind: 'workloadIdentity' }
  | { kind: 'managedIdentity' };

/** An AzureRM service connection, with the cloud's endpoints taken from the connection itself. */
export interface AzureRmConnection {
  connectionId: string;
  tenantId: string;
  clientId: string;
  subscriptionId?: string;
  auth: AzureAuth;
  /** e.g. https://management.azure.com/ (or an emulator in tests). */
  resourceManagerUrl: string;
  /** e.g. https://login.microsoftonline.com/ */
  authorityHost: string;
  /** Token scope for ARM, from the connection's resource id. */
  armScope: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readAzureRmConnection(
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
): AzureRmConnection | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const fail = (problem: string, fix: string): undefined => {
    inputs.problem(inputName, `service connection '${id}' ${problem}`, fix);
    return undefined;
  };
  const scheme = (endpoints.scheme(id) ?? 'ServicePrincipal').toLowerCase();
  const tenantId = endpoints.authParam(id, 'tenantid') ?? '';
  const clientId = endpoints.authParam(id, 'serviceprincipalid') ?? '';
  let auth: AzureAuth;
  if (scheme === 'serviceprincipal') {
    const type = (endpoints.authParam(id, 'authenticationType') ?? 'spnKey').toLowerCase();
    if (type === 'spncertificate') {
      const pem = inputs.secrets.register(endpoints.authParam(id, 'servicePrincipalCertificate'));
      if (!pem)
        return fail(
          'uses certificate authentication but has no certificate.',
          'Re-create the connection with the PEM certificate and key.',
        );
      auth = { kind: 'certificate', certificatePem: pem };
    } else {
      const secret = inputs.secrets.register(endpoints.authParam(id, 'serviceprincipalkey'));
      if (!secret)
        return fail(
          'has no service principal key.',
          'Edit the connection and set the client secret, or switch it to workload identity federation.',
        );
      auth = { kind: 'secret', clientSecret: secret };
    }
  } else if (scheme === 'workloadidentityfederation') {
    auth = { kind: 'workloadIdentity' };
  } else if (scheme === 'managedserviceidentity') {
    auth = { kind: 'managedIdentity' };
  } else {
    return fail(
      `uses the unsupported scheme '${scheme}'.`,
      'Use service principal, workload identity federation or managed identity.',
    );
  }
  if (auth.kind !== 'managedIdentity' && !GUID.test(tenantId))
    return fail(`has tenant id '${tenantId}', which is not a GUID.`, "Check the connection's tenant.");
  if (auth.kind !== 'managedIdentity' && !GUID.test(clientId))
    return fail(`has client id '${clientId}', which is not a GUID.`, "Check the connection's service principal id.");
  const resourceManagerUrl = withSlash(endpoints.url(id) || 'https://management.azure.com/');
  const authorityHost = withSlash(
    endpoints.data(id, 'environmentAuthorityUrl') || 'https://login.microsoftonline.com/',
  );
  const resourceId = withSlash(
    endpoints.data(id, 'activeDirectoryServiceEndpointResourceId') || 'https://management.core.windows.net/',
  );
  return {
    connectionId: id,
    tenantId,
    clientId,
    subscriptionId: endpoints.data(id, 'subscriptionId') || undefined,
    auth,
    resourceManagerUrl,
    authorityHost,
    armScope: `${resourceId}.default`,
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

const MICROSOFT_AUTHORITIES =
  /(^|\.)(microsoftonline\.(com|us|de)|windows\.net|chinacloudapi\.cn|microsoftonline\.cn)$/i;

/**
 * A TokenCredential for the connection; @azure/identity is loaded only by tasks that call Azure.
 * Workload identity federation uses AzurePipelinesCredential, which exchanges the job's OIDC token
 * (System.OidcRequestUri + the job access token) for an Entra token.
 */
export async function createAzureCredential(
  conn: AzureRmConnection,
  host: TaskHost,
  network: AgentNetwork = DIRECT,
): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const options = {
    // Entra (and the Azure DevOps OIDC endpoint) through the agent's proxy, trusting its CA.
    ...azurePipelineOptions(network),
    authorityHost: conn.authorityHost,
    // Instance discovery asks login.microsoftonline.com about unknown hosts (Azure Stack, tests).
    disableInstanceDiscovery: !MICROSOFT_AUTHORITIES.test(new URL(conn.authorityHost).hostname),
  };
  switch (conn.auth.kind) {
    case 'secret':
      return new identity.ClientSecretCredential(conn.tenantId, conn.clientId, conn.auth.clientSecret, options);
    case 'certificate':
      return new identity.ClientCertificateCredential(
        conn.tenantId,
        conn.clientId,
        { certificate: conn.auth.certificatePem },
        options,
      );
    case 'workloadIdentity': {
      const token = jobAccessToken(host);
      if (!token) {
        throw new TaskError(
          'Workload identity federation needs the job access token, and the agent passed none.',
          'Run the task on an Azure Pipelines agent (the token comes with every job as the SYSTEMVSSCONNECTION endpoint).',
        );
      }
      // The agent sets this for every job; AzurePipelinesCredential reads it from the environment.
      if (!process.env.SYSTEM_OIDCREQUESTURI) {
        throw new TaskError(
          'Workload identity federation needs System.OidcRequestUri, which this agent did not provide.',
          'Use agent 3.227 or later, or a service principal secret connection.',
        );
      }
      host.setSecret(token);
      return new identity.AzurePipelinesCredential(conn.tenantId, conn.clientId, conn.connectionId, token, options);
    }
    case 'managedIdentity':
      return new identity.ManagedIdentityCredential(conn.clientId ? { clientId: conn.clientId } : {});
  }
}

/**
 * The job's access token. The agent always hands it over as the SYSTEMVSSCONNECTION endpoint's
 * AccessToken parameter (azure-pipelines-agent src/Agent.Worker/Handlers/Handler.cs
 * AddEndpointsToEnvironment); System.AccessToken exists only when the job shares the token
 * (src/Agent.Worker/JobRunner.cs, System.EnableAccessToken), so it is only the fallback.
 */
export function jobAccessToken(host: TaskHost): string | undefined {
  return (
    host.endpoints.authParam('SYSTEMVSSCONNECTION', 'AccessToken') || host.variable('System.AccessToken') || undefined
  );
}
