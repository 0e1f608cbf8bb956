import * as http from 'node:http';
import type * as Https from 'node:https';
import { Readable } from 'node:stream';

/**
 * Blob bytes go through node:http(s) streams rather than fetch: piping a Node stream costs
 * a fraction of the CPU of WHATWG streams per chunk, which is the whole budget when a copy
 * must keep pace with skopeo. Everything else (small JSON requests) uses the shared HttpClient.
 */
export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: Readable;
  signal?: AbortSignal;
  /** The agent's proxy and certificate settings for this URL (network/node-agents.ts); none: direct. */
  agent?: http.Agent;
}

const plainAgent = new http.Agent({ keepAlive: true });
let tlsAgent: { mod: typeof Https; agent: Https.Agent } | undefined;

/**
 * node:https (and with it node:tls and the CA store) only once an https URL is met: local and
 * in-cluster registries are often plain HTTP, and loading TLS costs a fresh process tens of ms.
 */
function httpsModule(): { mod: typeof Https; agent: Https.Agent } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy; import() would use the ESM loader
  const mod = require('node:https') as typeof Https;
  tlsAgent ??= { mod, agent: new mod.Agent({ keepAlive: true }) };
  return tlsAgent;
}

export function rawRequest(url: string, req: RawRequest): Promise<http.IncomingMessage> {
  const u = new URL(url);
  const secure = u.protocol === 'https:' ? httpsModule() : undefined;
  const mod = secure?.mod ?? http;
  return new Promise((resolve, reject) => {
    const clientReq = mod.request(
      u,
      {
        method: req.method,
        headers: req.headers,
        agent: req.agent ?? secure?.agent ?? plainAgent,
        signal: req.signal,
      },
      resolve,
    );
    clientReq.on('error', reject);
    if (req.body) {
      // A failing source (digest mismatch, reset) must abort the upload, never let it complete.
      req.body.once('error', (err) => {
        clientReq.destroy(err);
        reject(err);
      });
      req.body.pipe(clientReq);
    } else clientReq.end();
  });
}

/** A drained copy of a (small) error response as a fetch Response, for the shared error formatting. */
export async function toResponse(res: http.IncomingMessage): Promise<Response> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < 64 * 1024) chunks.push(chunk);
    size += chunk.length;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
  const status = res.statusCode ?? 500;
  // Response refuses bodies on these statuses.
  const body = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
  return new Response(body, { status: status < 200 ? 500 : status, headers });
}
