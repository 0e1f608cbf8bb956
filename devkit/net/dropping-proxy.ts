import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A plain-HTTP reverse proxy in front of a registry that breaks one blob upload midway, as a
 * dropped network link does: once `dropAfterBytes` bytes of upload bodies (PATCH/PUT on
 * /blobs/uploads/) have passed, the connection carrying the next byte is destroyed.
 *
 * - 'buffered': the proxy holds each request body and forwards it only when complete, so the cut
 *   request never reaches the registry (a front end that buffers requests, or a break before the
 *   registry read anything): the registry's upload state is the last complete chunk.
 * - 'streaming': bytes are forwarded as they come and both sides are cut: the registry saw part
 *   of the request, as on a direct link.
 *
 * It counts every upload body byte it saw, so a test can tell how much was sent twice.
 */
export interface DroppingProxy {
  url: string;
  host: string;
  /** Upload body bytes received from the client (including the cut request's). */
  uploadBytes: number;
  dropped: number;
  close(): Promise<void>;
}

export async function startDroppingProxy(opts: {
  target: string;
  dropAfterBytes: number;
  mode: 'buffered' | 'streaming';
}): Promise<DroppingProxy> {
  const target = new URL(opts.target);
  const state = { uploadBytes: 0, dropped: 0 };
  const isUpload = (req: http.IncomingMessage): boolean =>
    /\/blobs\/uploads\//.test(req.url ?? '') && (req.method === 'PATCH' || req.method === 'PUT');

  const forward = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer | undefined,
  ): http.ClientRequest => {
    const upstream = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        const headers = { ...up.headers };
        // Locations the registry builds from the Host header must keep pointing at the proxy.
        if (typeof headers.location === 'string')
          headers.location = headers.location.replace(target.host, req.headers.host ?? target.host);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    if (body) upstream.end(body);
    return upstream;
  };

  const server = http.createServer((req, res) => {
    if (!isUpload(req)) {
      req.pipe(forward(req, res, undefined));
      return;
    }
    const held: Buffer[] = [];
    const upstream = opts.mode === 'streaming' ? forward(req, res, undefined) : undefined;
    req.on('data', (piece: Buffer) => {
      const before = state.uploadBytes;
      state.uploadBytes += piece.length;
      if (state.dropped === 0 && before < opts.dropAfterBytes && state.uploadBytes >= opts.dropAfterBytes) {
        state.dropped++;
        const keep = piece.subarray(0, opts.dropAfterBytes - before);
        if (upstream) upstream.write(keep, () => upstream.destroy());
        req.socket.destroy();
        return;
      }
      if (upstream) {
        if (!upstream.write(piece)) {
          req.pause();
          upstream.once('drain', () => req.resume());
        }
      } else held.push(piece);
    });
    req.on('end', () => {
      if (req.socket.destroyed) return;
      if (upstream) upstream.end();
      else forward(req, res, Buffer.concat(held));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get uploadBytes() {
      return state.uploadBytes;
    },
    get dropped() {
      return state.dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
