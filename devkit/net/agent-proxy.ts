import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { AddressInfo } from 'node:net';
import { caPaths } from '../support/test-ca';
import { spliceTunnel } from './connect-tunnel';

/**
 * A corporate proxy as agents sit behind: Basic proxy authentication (407 without it), CONNECT
 * tunnels and absolute-form plain HTTP, host names routed to local emulators (so tasks use real
 * service names), and optionally TLS inspection: every tunnel is terminated with a certificate from
 * the proxy's own CA and re-encrypted to the service, so only a client trusting that CA (the agent's
 * Agent.CAInfo) gets through.
 */
export interface AgentProxyServer {
  url: string;
  /** CONNECT and forwarded requests that were let through, as host:port or the absolute URL. */
  passed: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  /**
   * Bytes carried by the CONNECT tunnels to `host:port` so far (up: from the client, down: to it): shows
   * that a transfer's bytes, not only its first request, went through the proxy.
   */
  tunnelled(hostPort: string): { up: number; down: number };
  /** The inspection CA's certificate file (for Agent.CAInfo), when inspecting. */
  caFile?: string;
  close(): Promise<void>;
}

export interface AgentProxyOptions {
  username: string;
  password: string;
  routes?: Record<string, number>;
  inspect?: boolean;
}

function inspectionCa(names: string[]): { caFile: string; cert: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-inspect-'));
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const f = (n: string): string => path.join(dir, n);
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Inspecting proxy CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  fs.writeFileSync(f('ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('leaf.key'),
    '-out',
    f('leaf.csr'),
    '-subj',
    `/CN=${names[0]}`,
  ]);
  run([
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('leaf.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  ]);
  return {
    caFile: f('ca.pem'),
    cert: fs.readFileSync(f('leaf.pem'), 'utf8'),
    key: fs.readFileSync(f('leaf.key'), 'utf8'),
  };
}

export async function startAgentProxy(opts: AgentProxyOptions): Promise<AgentProxyServer> {
  const passed: string[] = [];
  const tunnels: { to: string; socket: net.Socket }[] = [];
  let refused = 0;
  const sockets = new Set<net.Socket>();
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const routes = opts.routes ?? {};
  const ca = opts.inspect ? inspectionCa(['localhost', '127.0.0.1', ...Object.keys(routes)]) : undefined;
  const serviceCa = fs.readFileSync(caPaths().cert, 'utf8');
  const target = (host: string, port: number): { host: string; port: number } | undefined => {
    const routed = routes[host.toLowerCase()];
    if (routed) return { host: '127.0.0.1', port: routed };
    return ['127.0.0.1', 'localhost'].includes(host) ? { host, port } : undefined;
  };
  const authorised = (req: http.IncomingMessage): boolean => req.headers['proxy-authorization'] === expected;

  const server = http.createServer((req, res) => {
    if (!authorised(req)) {
      refused++;
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="corp"' });
      return void res.end();
    }
    const url = new URL(req.url ?? '/');
    const to = target(url.hostname, Number(url.port || 80));
    if (!to) {
      res.writeHead(403);
      return void res.end();
    }
    passed.push(url.href);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request(
      { host: to.host, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!authorised(req)) {
      refused++;
      return void client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n',
      );
    }
    const [host, port] = (req.url ?? '').split(':');
    const to = target(host, Number(port));
    if (!to) return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    passed.push(req.url ?? '');
    // bytesRead/bytesWritten stay readable after close: nothing to count while the tunnel runs.
    tunnels.push({ to: req.url ?? '', socket: client });
    if (!ca) return spliceTunnel(client, head, to.host, to.port, sockets);
    // Inspection: a tunnel that starts a TLS handshake (first byte 0x16) ends here with the proxy's
    // certificate and a new TLS session goes to the service; plain HTTP in a tunnel passes as it is.
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const inspect = (first: Buffer): void => {
      client.pause();
      client.unshift(first);
      if (first[0] !== 0x16) {
        const raw = net.connect(to.port, to.host, () => {
          raw.pipe(client);
          client.pipe(raw);
          client.resume();
        });
        sockets.add(raw);
        raw.on('error', () => client.destroy());
        return;
      }
      const inner = new tls.TLSSocket(client, { isServer: true, cert: ca.cert, key: ca.key });
      const upstream = tls.connect({
        host: to.host,
        port: to.port,
        servername: net.isIP(host) ? undefined : host,
        ca: serviceCa,
        rejectUnauthorized: false,
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      inner.pipe(upstream);
      upstream.pipe(inner);
      inner.on('error', () => upstream.destroy());
      upstream.on('error', () => inner.destroy());
    };
    if (head.length) inspect(head);
    else client.once('data', inspect);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    passed,
    get refused() {
      return refused;
    },
    tunnelled: (hostPort) =>
      tunnels
        .filter((t) => t.to === hostPort)
        .reduce((sum, t) => ({ up: sum.up + t.socket.bytesRead, down: sum.down + t.socket.bytesWritten }), {
          up: 0,
          down: 0,
        }),
    caFile: ca?.caFile,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
