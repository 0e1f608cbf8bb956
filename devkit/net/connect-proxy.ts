import * as http from 'node:http';
import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { spliceTunnel } from './connect-tunnel';

/**
 * An HTTP CONNECT proxy, like the corporate proxies agents sit behind: HTTPS_PROXY points the Azure SDK
 * at it, and it tunnels `<vault>.vault.azure.net:443` to the Key Vault emulator, so the task uses the real
 * vault URL (and the SDK's challenge resource check applies unchanged). Other loopback targets pass
 * through; anything else is refused (no internet in tests).
 */
export interface ConnectProxy {
  url: string;
  tunnels: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(routes: Record<string, number>): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const [host, port] = (req.url ?? '').split(':');
    const routed = routes[host.toLowerCase()];
    const target = routed
      ? { host: '127.0.0.1', port: routed }
      : ['127.0.0.1', 'localhost'].includes(host)
        ? { host, port: Number(port) }
        : undefined;
    tunnels.push(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    spliceTunnel(client, head, target.host, target.port, sockets);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
