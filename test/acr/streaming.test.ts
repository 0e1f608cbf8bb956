import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, skopeoSeed, tempDir } from '../../devkit/registry/world';

/**
 * A blob's upload starts before its download ends: the source (behind a proxy) sends the first bytes of
 * the layer and holds the rest until the target (behind another proxy) has received upload bytes for it.
 * A task that read the whole blob before uploading would never release the hold; the proxies then let go
 * after HOLD_LIMIT_MS and say so. Causal order, not a timing threshold.
 */
const HOLD_LIMIT_MS = 10_000;
const HEAD_BYTES = 64 * 1024;

interface Front {
  url: string;
  host: string;
  close(): Promise<void>;
}

/** Forwards to `target` keeping the Host header (so upload Locations point back here); `tap` sees each exchange. */
async function startFront(
  target: string,
  tap: (req: http.IncomingMessage, up: http.IncomingMessage, res: http.ServerResponse) => boolean,
  onRequest: (req: http.IncomingMessage) => void = () => undefined,
): Promise<Front> {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    onRequest(req);
    const upstream = http.request(
      { hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!tap(req, up, res)) up.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    host: new URL(url).host,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('AcrPromote streams a blob from source to target (packaged task)', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  const fronts: Front[] = [];

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'ssrc' }), startLocalRegistry({ name: 'sdst' })]);
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all(fronts.map((f) => f.close()));
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it("the layer's upload receives bytes before the source has sent the layer's end", async () => {
    layout = new OciLayout(tempDir('slayout'));
    const image = layout.image({ layerSizes: [1024 * 1024] });
    layout.tag('v1', image);
    await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
    const layer = ((await new RegistryProbe(src).manifest('team/app', image.digest)).layers as Descriptor[])[0];

    let released: 'upload' | 'timeout' | undefined;
    let release!: (why: 'upload' | 'timeout') => void;
    const gate = new Promise<'upload' | 'timeout'>((resolve) => (release = resolve));
    void gate.then((why) => (released ??= why));
    const fallback = setTimeout(() => release('timeout'), HOLD_LIMIT_MS);

    const srcFront = await startFront(src.url, (req, up, res) => {
      if (req.method !== 'GET' || !req.url?.includes(`/blobs/${layer.digest}`)) return false;
      // The first HEAD_BYTES go at once; the rest only once the target has seen upload bytes.
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        const before = sent;
        sent += chunk.length;
        if (before >= HEAD_BYTES || sent < HEAD_BYTES) return void res.write(chunk);
        res.write(chunk.subarray(0, HEAD_BYTES - before));
        up.pause();
        void gate.then(() => {
          res.write(chunk.subarray(HEAD_BYTES - before));
          up.resume();
        });
      });
      up.on('end', () => res.end());
      return true;
    });
    const dstFront = await startFront(
      dst.url,
      () => false,
      (req) => {
        // The layer's own upload: its monolithic PUT names the digest (?digest=sha256%3A<hex>).
        const url = req.url ?? '';
        if (req.method === 'PUT' && url.includes('/blobs/uploads/') && url.includes(layer.digest.split(':')[1]))
          req.once('data', () => release('upload'));
      },
    );
    fronts.push(srcFront, dstFront);
    const endpoint = (f: Front, creds: { username: string; password: string }): Endpoint => ({
      url: f.url,
      scheme: 'UsernamePassword',
      auth: { registry: f.url, username: creds.username, password: creds.password },
    });

    try {
      const run = await runTaskLikeAgent({
        taskDir: packagedTaskDir('AcrPromote'),
        inputs: {
          sourceImage: `${srcFront.host}/team/app:v1`,
          targetRegistry: dstFront.host,
          targetRepository: 'prod/app',
          sourceRegistryConnection: 'srcconn',
          targetRegistryConnection: 'dstconn',
        },
        endpoints: { srcconn: endpoint(srcFront, READER), dstconn: endpoint(dstFront, ADMIN) },
      });
      assert.equal(run.result, 'Succeeded', `${run.resultMessage}\n${run.stderr}`);
    } finally {
      clearTimeout(fallback);
    }
    assert.equal(released, 'upload', 'the rest of the layer was released by an upload, not by the time limit');
    assert.ok(await new RegistryProbe(dst).hasBlob('prod/app', layer.digest));
  });
});
