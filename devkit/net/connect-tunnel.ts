import * as net from 'node:net';

/**
 * Splices an accepted CONNECT to host:port, as an HTTP proxy does: answers 200 once the upstream is
 * connected, forwards the bytes already read, and tears both sides down together. The sockets set
 * tracks open upstreams so the proxy can close them.
 */
export function spliceTunnel(
  client: net.Socket,
  head: Buffer,
  host: string,
  port: number,
  sockets: Set<net.Socket>,
): void {
  const upstream = net.connect(port, host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  sockets.add(upstream);
  upstream.on('close', () => sockets.delete(upstream));
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}
