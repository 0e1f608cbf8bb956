import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';

/**
 * A service that answers every request with pipeline commands hidden in everything a client might
 * print: the status text, header values and the error body, shaped like the service it stands in
 * for (Prometheus, ARM, OCI, Kubernetes, a registry, or any HTTP API). A task that writes any of it
 * raw lets the service set variables, tag the build or complete the step.
 */
export type HostileStyle = 'http' | 'prometheus' | 'arm' | 'oci' | 'kube' | 'registry';

export const INJECTED = 'INJECTED-BY-SERVICE';

/** One payload per way the agent (or ICU's comparison) could pick a command out of a line. */
export const PAYLOADS = [
  `##vso[task.setvariable variable=${INJECTED};isOutput=true]pwned`,
  `##vso[build.addbuildtag]${INJECTED}`,
  `##vso[task.complete result=Succeeded;done=true]${INJECTED}`,
  `text before ##vso[task.logissue type=error]${INJECTED}`,
  `#\u200B#vso[artifact.associate type=container;artifactname=${INJECTED}]x`,
  `##v\u00ADso[task.uploadfile]${INJECTED}`,
  `##[error]${INJECTED}`,
  `##[section]${INJECTED}`,
];
const TEXT = PAYLOADS.join('\n');
const ONE_LINE = PAYLOADS.join(' ');

function body(style: HostileStyle): { status: number; json: unknown } {
  switch (style) {
    case 'prometheus':
      return { status: 400, json: { status: 'error', errorType: 'bad_data', error: TEXT } };
    case 'arm':
      return {
        status: 400,
        json: { error: { code: `Bad${INJECTED}`, message: TEXT, details: [{ code: 'X', message: ONE_LINE }] } },
      };
    case 'oci':
      return { status: 400, json: { code: 'InvalidParameter', message: TEXT } };
    case 'kube':
      return {
        status: 422,
        json: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: TEXT, reason: 'Invalid', code: 422 },
      };
    case 'registry':
      return { status: 400, json: { errors: [{ code: 'DENIED', message: TEXT, detail: ONE_LINE }] } };
    default:
      return { status: 500, json: { status: 'DOWN', error: TEXT, items: [ONE_LINE] } };
  }
}

export interface HostileService {
  url: string;
  host: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startHostileService(
  style: HostileStyle,
  tls?: { cert: string; key: string },
): Promise<HostileService> {
  const requests: string[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      // A registry's HEAD succeeds, so the client goes on to GET the manifest and meets the error body.
      if (style === 'registry' && req.method === 'HEAD') {
        res.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': `sha256:${'a'.repeat(64)}`,
          'content-length': '300',
        });
        return void res.end();
      }
      const { status, json } = body(style);
      res.statusMessage = `Denied ${ONE_LINE.replace(/[^\x20-\x7e]/g, '')}`;
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-service-note': ONE_LINE.replace(/[^\x20-\x7e]/g, ''),
        'www-authenticate': `Bearer realm="${INJECTED} ##vso[task.setvariable variable=${INJECTED}]x",error="insufficient_scope"`,
        'opc-request-id': `##vso[build.addbuildtag]${INJECTED}`,
        'x-ms-request-id': `##[error]${INJECTED}`,
      });
      res.end(JSON.stringify(json));
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
