import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';

/**
 * A plain forwarder that rewrites the service's own URLs in response headers and text bodies, so the
 * URLs a service hands out (Entra's discovery document, a registry's token realm and upload
 * Location) lead back through the fault proxy instead of around it.
 */
export interface RewriteFront {
  url: string;
  /** [from, to] string pairs applied to every header value and to JSON/text bodies. */
  replace(pairs: [string, string][]): void;
  close(): Promise<void>;
}

const TEXTUAL = /json|text|xml|javascript/i;

export async function startRewriteFront(upstream: string): Promise<RewriteFront> {
  const target = new URL(upstream);
  let pairs: [string, string][] = [];
  const rewrite = (s: string): string => pairs.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const server = http.createServer((req, res) => {
    const client = target.protocol === 'https:' ? https : http;
    const up = client.request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upRes) => {
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(upRes.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(rewrite) : rewrite(value);
        }
        if (
          req.method === 'HEAD' ||
          !TEXTUAL.test(String(upRes.headers['content-type'] ?? '')) ||
          upRes.headers['content-encoding']
        ) {
          res.writeHead(upRes.statusCode ?? 502, headers);
          return void upRes.pipe(res);
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8')), 'utf8');
          delete headers['transfer-encoding'];
          headers['content-length'] = String(body.length);
          res.writeHead(upRes.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    replace: (p) => (pairs = p),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
