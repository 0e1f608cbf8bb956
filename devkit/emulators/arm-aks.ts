import { randomUUID } from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { armError, armFrontDoor } from './arm';

/**
 * Azure Resource Manager emulator for Microsoft.ContainerService managedClusters credentials (HTTPS, test
 * CA), modelled on azure-rest-api-specs specification/containerservice/resource-manager/
 * Microsoft.ContainerService/aks/stable/<version>/managedClusters.json:
 *   POST /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}/
 *        listClusterUserCredential?api-version=…[&format=azure|exec]   → 200 CredentialResults
 *        listClusterAdminCredential?api-version=…                      → 200 CredentialResults (400 when local
 *        accounts are disabled, as AKS answers)
 *   CredentialResults = { kubeconfigs: [{ name: 'clusterUser' | 'clusterAdmin', value: <base64 kubeconfig> }] }
 * ARM's own checks come first: a bearer token from the Entra emulator with the ARM audience (401
 * InvalidAuthenticationToken), a supported api-version (400 InvalidApiVersionParameter), the resource (404
 * ResourceNotFound), the principal's access (403 AuthorizationFailed).
 */
export const AKS_API_VERSIONS = ['2023-08-01', '2024-02-01', '2024-05-01', '2024-09-01', '2025-01-01'];

export interface ArmAksCluster {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** The kubeconfig listClusterUserCredential returns (what format=exec gives for Entra-enabled clusters). */
  userKubeconfig: string;
  /** listClusterAdminCredential's; undefined: local accounts disabled. */
  adminKubeconfig?: string;
  /** Client ids allowed to list credentials; undefined: anyone with an ARM token. */
  allowedClientIds?: string[];
}

export interface ArmAksEmulator {
  url: string;
  requests: { method: string; path: string; apiVersion: string | null; format: string | null; status: number }[];
  close(): Promise<void>;
}

const PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)\/(listClusterUserCredential|listClusterAdminCredential)$/i;

export async function startArmAks(clusters: ArmAksCluster[]): Promise<ArmAksEmulator> {
  const cert = issueCert({ names: ['localhost', '127.0.0.1'] });
  const emulator: ArmAksEmulator = { url: '', requests: [], close: async () => undefined };
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', emulator.url);
      const apiVersion = url.searchParams.get('api-version');
      const format = url.searchParams.get('format');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        emulator.requests.push({ method: req.method ?? '', path: url.pathname, apiVersion, format, status });
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ms-request-id': randomUUID(),
          ...headers,
        });
        res.end(JSON.stringify(body));
      };
      const door = armFrontDoor(req.headers.authorization, apiVersion, AKS_API_VERSIONS);
      if ('refused' in door) return send(...door.refused);
      const m = PATH.exec(url.pathname);
      if (!m || req.method !== 'POST')
        return send(404, armError('InvalidResourceType', `No route for ${req.method} ${url.pathname}.`));
      if (format && !['azure', 'exec'].includes(format.toLowerCase()))
        return send(400, armError('InvalidParameter', `The value '${format}' of parameter 'format' is invalid.`));
      const cluster = clusters.find(
        (c) =>
          c.subscriptionId === m[1] &&
          c.resourceGroup.toLowerCase() === m[2].toLowerCase() &&
          c.name.toLowerCase() === m[3].toLowerCase(),
      );
      if (!cluster)
        return send(
          404,
          armError(
            'ResourceNotFound',
            `The Resource 'Microsoft.ContainerService/managedClusters/${m[3]}' under resource group '${m[2]}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
          ),
        );
      const appid = String(door.claims.appid);
      if (cluster.allowedClientIds && !cluster.allowedClientIds.includes(appid))
        return send(
          403,
          armError(
            'AuthorizationFailed',
            `The client '${appid}' with object id '${appid}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/${m[4]}/action' over scope '${url.pathname.replace(/\/[^/]+$/, '')}' or the scope is invalid.`,
          ),
        );
      const admin = /admin/i.test(m[4]);
      const kubeconfig = admin ? cluster.adminKubeconfig : cluster.userKubeconfig;
      if (!kubeconfig)
        return send(
          400,
          armError(
            'BadRequest',
            'Getting static credential is not allowed because this cluster is set to disable local accounts.',
          ),
        );
      return send(200, {
        kubeconfigs: [
          { name: admin ? 'clusterAdmin' : 'clusterUser', value: Buffer.from(kubeconfig).toString('base64') },
        ],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  emulator.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return emulator;
}
