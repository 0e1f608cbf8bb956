/**
 * Serves the fake Azure DevOps page (host.js: the SDK's own XDM protocol, bundled with esbuild) on
 * http://localhost:<port>, a different origin from the hub it frames (served on 127.0.0.1), as in
 * Azure DevOps. Used by the demo, its tests and the README screenshots.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../project';

export interface HostPage {
  origin: string;
  /** The host page framing `frameOrigin`'s hub (or run tab), handing it `token` for REST calls. */
  url(opts: HostPageOptions): string;
  stop(): Promise<void>;
}

export interface HostPageOptions {
  frameOrigin: string;
  token: string;
  kind?: 'hub' | 'run-tab';
  buildId?: number;
  theme?: 'light' | 'dark' | 'high-contrast';
}

export async function startHostPage(): Promise<HostPage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-ado-host-'));
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'devkit', 'ado-host', 'host.js')],
    outfile: path.join(dir, 'host.js'),
    bundle: true,
    // XDM.js is not in the SDK package's exports: the host speaks the very module the hub's SDK uses.
    alias: { 'sdk-xdm': path.join(ROOT, 'node_modules', 'azure-devops-extension-sdk', 'esm', 'XDM.js') },
    format: 'iife',
    platform: 'browser',
    logLevel: 'warning',
  });
  const html =
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Azure DevOps (fake) · Promotions</title></head>' +
    '<body style="margin:0"><script src="host.js"></script></body></html>';
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (p === '/host.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(fs.readFileSync(path.join(dir, 'host.js')));
    if (p === '/host.html' || p === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (o) => {
      const kind = o.kind ?? 'hub';
      const q = new URLSearchParams({
        frame: `${o.frameOrigin}/${kind}.html`,
        kind,
        token: o.token,
        collection: `${o.frameOrigin}/contoso/`,
      });
      if (o.buildId) q.set('buildId', String(o.buildId));
      if (o.theme) q.set('theme', o.theme);
      return `${origin}/host.html?${q}`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
