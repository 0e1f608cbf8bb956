import { RegistryCredentials } from '../common/connections/docker-registry';
import { HttpClient } from '../common/http';
import { configured } from '../common/network/agent-network';
import type * as NodeAgents from '../common/network/node-agents';
import { AgentFor, RegistryClient, DistributionClient } from '../common/registry/client';
import { nodeFetch } from '../common/registry/node-fetch';
import { RegistryCredentialSource } from '../common/registry/credentials';
import { TaskContext } from '../common/runner';
import { registryApiHost } from '../common/image-ref';
import { AcrPromoteOptions } from './options';

/**
 * Credentials for one side: its Docker Registry connection if set; else, with an Azure
 * subscription, an ACR token obtained from an Entra token; else anonymous.
 */
export function credentialSource(
  ctx: TaskContext,
  options: AcrPromoteOptions,
  side: 'source' | 'target',
): RegistryCredentialSource {
  const creds: RegistryCredentials | undefined =
    side === 'source' ? options.sourceCredentials : options.targetCredentials;
  const input = side === 'source' ? 'sourceRegistryConnection' : 'targetRegistryConnection';
  const connectionId = side === 'source' ? options.sourceConnectionId : options.targetConnectionId;
  if (creds) {
    const label = `service connection '${connectionId}' (input '${input}')`;
    const entra = creds.azure;
    if (entra) {
      // Workload identity / managed identity: no password; the connection's own identity gets an ACR token.
      return {
        kind: 'acr',
        label,
        tenantId: entra.tenantId || undefined,
        entraToken: async () =>
          (await import('./lazy-azure')).entraAccessToken(entra, ctx.host, ctx.signal, ctx.network),
      };
    }
    if (creds.username && creds.password)
      return { kind: 'basic', label, username: creds.username, password: creds.password };
    return { kind: 'anonymous', label };
  }
  const azure = options.azure;
  if (azure) {
    return {
      kind: 'acr',
      label: `Azure service connection '${azure.connectionId}' (input 'azureSubscription')`,
      tenantId: azure.tenantId,
      entraToken: async () => (await import('./lazy-azure')).entraAccessToken(azure, ctx.host, ctx.signal, ctx.network),
    };
  }
  return { kind: 'anonymous', label: `anonymous access (no '${input}' set)` };
}

export function createClients(
  ctx: TaskContext,
  options: AcrPromoteOptions,
): { source: RegistryClient; target: RegistryClient } {
  const log = (m: string): void => ctx.host.debug(m);
  // Without agent proxy or certificate settings, registry requests skip Node's fetch (see node-fetch.ts);
  // with them, the runner's client carries the proxy and the agent's CA.
  const http = configured(ctx.network)
    ? ctx.http
    : new HttpClient({ signal: ctx.signal, deadline: ctx.deadline, log, fetchImpl: nodeFetch });
  const deps = { http, secrets: ctx.secrets, signal: ctx.signal, log, agentFor: blobAgents(ctx) };
  return {
    source: new DistributionClient(
      registryApiHost(options.source.registry),
      credentialSource(ctx, options, 'source'),
      deps,
    ),
    target: new DistributionClient(
      registryApiHost(options.targetRegistry),
      credentialSource(ctx, options, 'target'),
      deps,
      'push',
    ),
  };
}

/**
 * Blob bytes go on node:http (registry/raw-http.ts), not through the HttpClient: they need the agent's
 * proxy and certificates too (AGENT_PROXYURL, Agent.CAInfo…), one Node agent per origin, kept for reuse
 * (network/node-agents.ts).
 */
function blobAgents(ctx: TaskContext): AgentFor | undefined {
  if (!configured(ctx.network)) return undefined;
  // Loaded only with proxy or certificate settings: hpagent and node:https stay out of a plain run's start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy; import() would use the ESM loader
  const { agentFor } = require('../common/network/node-agents') as typeof NodeAgents;
  return (url) => agentFor(ctx.network, url);
}
