import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';

/**
 * A front for a local docker-registry that adds what ACR has and distribution lacks — the
 * data-plane manifest attributes API (PATCH /acr/v1/<repo>/_manifests/<digest>, writeEnabled) —
 * and injects faults on the wire: 503s on blob uploads, corrupted blob downloads.
 */
export interface RegistryFront {
  host: string;
  locks: { repository: string; digest: string; body: unknown; authorized: boolean }[];
  /** Answer the next n blob upload PUTs with 503 (Retry-After: 0) without forwarding them. */
  failUploads(n: number): void;
  /** Flip one byte in every blob download until reset. */
  corruptBlobs(on: boolean): void;
  /** Slow blob downloads to about this many bytes per second (0: full speed). */
  throttleBlobs(bytesPerSecond: number): void;
  readonly referrerRequests: number;
  /** Blob downloads answered at the throttled rate so far: a test cancels a copy once one is mid-stream. */
  readonly throttledDownloads: number;
  /** Serve the OCI referrers API (GET /v2/<repo>/referrers/<digest>) from the sha256-<hex> fallback index. */
  referrersApi(on: boolean): void;
  close(): Promise<void>;
}

export async function startRegistryFront(upstream: string): Promise<RegistryFront> {
  const target = new URL(upstream);
  let failing = 0;
  let corrupt = false;
  let throttle = 0;
  let referrers = false;
  const locks: RegistryFront['locks'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    const lock = /^\/acr\/v1\/(.+)\/_manifests\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (lock && req.method === 'PATCH') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const authorized = /^Bearer \S+/.test(req.headers.authorization ?? '');
        if (!authorized) {
          res.writeHead(401, {
            'www-authenticate': `Bearer realm="${realm}",service="${service}",scope="repository:${lock[1]}:metadata_write"`,
          });
          res.end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        locks.push({ repository: lock[1], digest: lock[2], body, authorized });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            registry: front.host,
            imageName: lock[1],
            manifest: {
              digest: lock[2],
              changeableAttributes: { deleteEnabled: true, writeEnabled: false, readEnabled: true, listEnabled: true },
            },
          }),
        );
      });
      return;
    }
    const refs = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (refs && req.method === 'GET' && referrers) {
      void serveReferrers(refs[1], refs[2], req.headers.authorization, res);
      return;
    }
    if (req.method === 'PUT' && /\/blobs\/uploads\//.test(url.pathname) && failing > 0) {
      failing--;
      req.resume();
      res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected outage' }] }));
      return;
    }
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upRes) => {
        const headers = { ...upRes.headers };
        // Redirects and upload locations must point back at the front.
        if (headers.location) headers.location = headers.location.replace(upstream, `http://${front.host}`);
        res.writeHead(upRes.statusCode ?? 502, headers);
        if (corrupt && req.method === 'GET' && /\/blobs\/sha256:/.test(url.pathname) && upRes.statusCode === 200) {
          let flipped = false;
          upRes
            .pipe(
              new Transform({
                transform(chunk: Buffer, _e, cb) {
                  if (!flipped && chunk.length) {
                    chunk = Buffer.from(chunk);
                    chunk[0] ^= 0xff;
                    flipped = true;
                  }
                  cb(null, chunk);
                },
              }),
            )
            .pipe(res);
        } else if (
          throttle &&
          req.method === 'GET' &&
          /\/blobs\/sha256:/.test(url.pathname) &&
          upRes.statusCode === 200
        ) {
          const rate = throttle;
          throttledDownloads++;
          upRes
            .pipe(
              new Transform({
                transform(chunk: Buffer, _e, cb) {
                  setTimeout(() => cb(null, chunk), (chunk.length / rate) * 1000);
                },
              }),
            )
            .pipe(res);
        } else upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  /** The referrers API answer: an index of the subject's referrers, 200 even when there are none. */
  const serveReferrers = async (
    repository: string,
    digest: string,
    authorization: string | undefined,
    res: http.ServerResponse,
  ): Promise<void> => {
    const upstreamRes = await fetch(`${upstream}/v2/${repository}/manifests/${digest.replace(':', '-')}`, {
      headers: { ...(authorization ? { authorization } : {}), accept: 'application/vnd.oci.image.index.v1+json' },
    });
    if (upstreamRes.status === 401) {
      res.writeHead(401, { 'www-authenticate': upstreamRes.headers.get('www-authenticate') ?? '' });
      res.end();
      return;
    }
    const manifests = upstreamRes.ok ? (((await upstreamRes.json()) as { manifests?: unknown[] }).manifests ?? []) : [];
    referrerRequests++;
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  };
  let referrerRequests = 0;
  let throttledDownloads = 0;
  let realm = '';
  let service = '';
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const front: RegistryFront = {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    locks,
    failUploads: (n) => (failing = n),
    corruptBlobs: (on) => (corrupt = on),
    throttleBlobs: (n) => (throttle = n),
    referrersApi: (on) => (referrers = on),
    get referrerRequests() {
      return referrerRequests;
    },
    get throttledDownloads() {
      return throttledDownloads;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  // The registry's own challenge tells us its realm and service, for the lock API's 401.
  const probe = await fetch(`${upstream}/v2/`);
  const challenge = probe.headers.get('www-authenticate') ?? '';
  realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  service = /service="([^"]+)"/.exec(challenge)?.[1] ?? '';
  return front;
}
