import { AgentNetwork } from '../common/network/agent-network';
import { AzureRmConnection, createAzureCredential } from '../common/connections/azure-rm';
import { TaskHost } from '../common/host';

/**
 * Everything that needs the Azure SDKs (@azure/identity, @azure/arm-containerregistry), behind
 * one dynamic import: a copy between registries with Docker Registry connections never loads them.
 */
export { promoteByImport } from './import-mode';

export async function entraAccessToken(
  azure: AzureRmConnection,
  host: TaskHost,
  signal: AbortSignal,
  network?: AgentNetwork,
): Promise<string> {
  const credential = await createAzureCredential(azure, host, network);
  const token = await credential.getToken(azure.armScope, { abortSignal: signal });
  if (!token) throw new Error(`The Azure connection '${azure.connectionId}' returned no token.`);
  return token.token;
}
