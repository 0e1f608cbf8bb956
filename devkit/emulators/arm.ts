import { randomUUID } from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { TokenClaims, validateBearer } from './entra';

/**
 * Azure Resource Manager emulator for Microsoft.ContainerRegistry (HTTPS, test CA): registry
 * listing and importImage as a long-running operation, as the REST reference describes it —
 * 202 with Location + Azure-AsyncOperation + Retry-After, operation status documents
 * (InProgress → Succeeded/Failed), a final Location GET; api-version and an Entra bearer token
 * with the ARM audience are required, with ARM's error bodies when they are wrong.
 */
export const ARM_API_VERSIONS = ['2019-05-01', '2023-07-01', '2025-04-01', '2025-11-01'];
const ARM_AUDIENCES = ['https://management.core.windows.net/', 'https://management.azure.com/'];

export interface ArmRegistry {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  loginServer: string;
}

export interface ImportImageBody {
  source: {
    resourceId?: string;
    registryUri?: string;
    credentials?: { username?: string; password: string };
    sourceImage: string;
  };
  targetTags?: string[];
  untaggedTargetRepositories?: string[];
  mode?: 'NoForce' | 'Force';
}

export interface ArmEmulatorOptions {
  registries: ArmRegistry[];
  /** Does the import server-side (tests run skopeo between the local registries); throws to fail the operation. */
  performImport(target: ArmRegistry, body: ImportImageBody): Promise<void>;
  /** Seconds sent in Retry-After while an operation runs. */
  retryAfterSeconds?: number;
}

export interface ArmEmulator {
  url: string;
  requests: { method: string; path: string; apiVersion: string | null; status: number }[];
  imports: { registry: string; body: ImportImageBody; status: 'InProgress' | 'Succeeded' | 'Failed' }[];
  close(): Promise<void>;
}

interface Operation {
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  startTime: string;
  endTime?: string;
}

export const armError = (code: string, message: string) => ({ error: { code, message } });

/** A refusal: status, ARM error body and headers. */
export type ArmRefusal = [number, ReturnType<typeof armError>, Record<string, string>?];

/**
 * What ARM's front door checks before any resource provider sees a request: a bearer token for the ARM
 * audience (either spelling), then an api-version the provider supports. The token's claims when it passes.
 */
export function armFrontDoor(
  authorization: string | undefined,
  apiVersion: string | null,
  versions: string[],
): { refused: ArmRefusal } | { claims: TokenClaims } {
  const auth =
    ARM_AUDIENCES.map((a) => validateBearer(authorization, a)).find((r) => r.ok) ??
    validateBearer(authorization, ARM_AUDIENCES[0]);
  if (!auth.ok)
    return {
      refused: [
        401,
        armError(
          authorization ? 'InvalidAuthenticationToken' : 'AuthenticationFailed',
          `Authentication failed: ${auth.reason}.`,
        ),
        {
          'www-authenticate':
            'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
        },
      ],
    };
  if (!apiVersion)
    return {
      refused: [
        400,
        armError(
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        ),
      ],
    };
  if (!versions.includes(apiVersion))
    return {
      refused: [
        400,
        armError(
          'InvalidApiVersionParameter',
          `The api-version '${apiVersion}' is invalid. The supported versions are '${versions.join(',')}'.`,
        ),
      ],
    };
  return { claims: auth.claims };
}

export async function startArm(opts: ArmEmulatorOptions): Promise<ArmEmulator> {
  const cert = issueCert({ names: ['localhost', '127.0.0.1'] });
  const operations = new Map<string, Operation>();
  const emulator: ArmEmulator = { url: '', requests: [], imports: [], close: async () => undefined };
  const resourceId = (r: ArmRegistry): string =>
    `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${r.name}`;
  const resource = (r: ArmRegistry) => ({
    id: resourceId(r),
    name: r.name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: 'westeurope',
    sku: { name: 'Premium', tier: 'Premium' },
    properties: {
      loginServer: r.loginServer,
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      creationDate: '2026-01-01T00:00:00Z',
    },
  });

  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', emulator.url);
      const apiVersion = url.searchParams.get('api-version');
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
        emulator.requests.push({ method: req.method ?? '', path: url.pathname, apiVersion, status });
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ms-request-id': randomUUID(),
          ...headers,
        });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const door = armFrontDoor(req.headers.authorization, apiVersion, ARM_API_VERSIONS);
      if ('refused' in door) return send(...door.refused);
      const p = url.pathname;
      let m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries$/i.exec(p);
      if (m && req.method === 'GET')
        return send(200, { value: opts.registries.filter((r) => r.subscriptionId === m![1]).map(resource) });
      m =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)\/importImage$/i.exec(
          p,
        );
      if (m && req.method === 'POST') {
        const target = opts.registries.find(
          (r) =>
            r.subscriptionId === m![1] &&
            r.resourceGroup.toLowerCase() === m![2].toLowerCase() &&
            r.name.toLowerCase() === m![3].toLowerCase(),
        );
        if (!target)
          return send(
            404,
            armError(
              'ResourceNotFound',
              `The Resource 'Microsoft.ContainerRegistry/registries/${m[3]}' under resource group '${m[2]}' was not found.`,
            ),
          );
        let body: ImportImageBody;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ImportImageBody;
        } catch {
          return send(
            400,
            armError('InvalidRequestContent', 'The request content was invalid and could not be deserialized.'),
          );
        }
        const problem = validateImport(body);
        if (problem) return send(400, armError('InvalidParameter', problem));
        const id = randomUUID();
        const op: Operation = { status: 'InProgress', startTime: new Date().toISOString() };
        operations.set(id, op);
        const record = { registry: target.name, body, status: op.status };
        emulator.imports.push(record);
        opts
          .performImport(target, body)
          .then(
            () => Object.assign(op, { status: 'Succeeded', endTime: new Date().toISOString() }),
            (err: unknown) =>
              Object.assign(op, {
                status: 'Failed',
                endTime: new Date().toISOString(),
                error: { code: 'ImportImageFailed', message: err instanceof Error ? err.message : String(err) },
              }),
          )
          .finally(() => (record.status = op.status));
        const base = `${emulator.url}/subscriptions/${target.subscriptionId}/providers/Microsoft.ContainerRegistry/locations/westeurope`;
        return send(202, undefined, {
          location: `${base}/operationResults/${id}?api-version=${apiVersion}`,
          'azure-asyncoperation': `${base}/operationStatuses/${id}?api-version=${apiVersion}`,
          'retry-after': String(opts.retryAfterSeconds ?? 1),
        });
      }
      m = /\/locations\/[^/]+\/(operationStatuses|operationResults)\/([^/]+)$/i.exec(p);
      if (m && req.method === 'GET') {
        const op = operations.get(m[2]);
        if (!op) return send(404, armError('OperationNotFound', `Operation ${m[2]} was not found.`));
        const retry = { 'retry-after': String(opts.retryAfterSeconds ?? 1) };
        if (m[1] === 'operationStatuses')
          return send(
            200,
            { id: p, name: m[2], status: op.status, startTime: op.startTime, endTime: op.endTime, error: op.error },
            op.status === 'InProgress' ? retry : {},
          );
        if (op.status === 'InProgress')
          return send(202, undefined, { location: `${emulator.url}${p}?api-version=${apiVersion}`, ...retry });
        if (op.status === 'Failed') return send(400, { error: op.error });
        // ACR answers the final GET of a finished import with 200 and no body (the SDK accepts 200/201/202).
        return send(200);
      }
      return send(404, armError('InvalidResourceType', `No route for ${req.method} ${p}.`));
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

/** The service's own checks on ImportImageParameters. */
function validateImport(body: ImportImageBody): string | undefined {
  if (!body?.source?.sourceImage) return "The parameter 'source.sourceImage' is required.";
  if (!body.source.resourceId === !body.source.registryUri)
    return "Exactly one of 'source.resourceId' and 'source.registryUri' must be set.";
  if (body.mode && body.mode !== 'NoForce' && body.mode !== 'Force')
    return `Import mode '${body.mode}' is invalid; use NoForce or Force.`;
  if (!body.targetTags?.length && !body.untaggedTargetRepositories?.length)
    return "One of 'targetTags' and 'untaggedTargetRepositories' is required.";
  if (body.source.credentials && !body.source.credentials.password)
    return "The parameter 'source.credentials.password' is required.";
  return undefined;
}
