import * as fs from 'node:fs';
import * as assert from 'node:assert/strict';
import { CHUNK_BYTES } from '../../tasks/common/registry/chunked-upload';
import { promoteByCopy } from '../../tasks/AcrPromote/promote';
import { basicClientPair } from '../../devkit/registry/basic-clients';
import { LocalRegistry, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { startDroppingProxy } from '../../devkit/net/dropping-proxy';
import { RegistryProbe, skopeoSeed, tempDir } from '../../devkit/registry/world';

/**
 * A connection dropped midway through a large layer's chunked upload, between the task and a real
 * docker-registry 2.8. What distribution does (tested by hand and asserted here): after a complete
 * PATCH, GET on the new Location answers 204 `Range: 0-<end>`; after a PATCH cut mid-body it answers
 * 404 (its signed `_state` offset no longer matches the stored bytes) and the session is unusable.
 */
describe('AcrPromote resumable upload', function () {
  this.timeout(180_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let image: Descriptor;
  let total = 0;
  const big = 64 << 20;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'rsrc' }), startLocalRegistry({ name: 'rdst' })]);
    layout = new OciLayout(tempDir('rlayout'));
    image = layout.image({ layerSizes: [big, 1 << 20] });
    layout.tag('v1', image);
    await skopeoSeed(layout.dir, 'v1', src, 'team/big:v1');
    const manifest = (await new RegistryProbe(src).manifest('team/big', image.digest)) as {
      layers: Descriptor[];
      config: Descriptor;
    };
    total = [...manifest.layers, manifest.config].reduce((n, d) => n + d.size, 0);
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  async function promoteThrough(
    mode: 'buffered' | 'streaming',
    repository: string,
  ): Promise<{ lines: string[]; resent: number; dropped: number }> {
    // Midway through the third 16 MiB chunk of the 64 MiB layer.
    const proxy = await startDroppingProxy({ target: dst.url, dropAfterBytes: 40 << 20, mode });
    try {
      const { source, target, signal, deadline } = basicClientPair(src.host, proxy.host, 150_000);
      const lines: string[] = [];
      await promoteByCopy(
        {
          source: { client: source, repository: 'team/big', tag: 'v1' },
          target: { client: target, repository },
          tags: ['v1'],
          includeReferrers: false,
          allowTagOverwrite: false,
          lockTarget: false,
        },
        { signal, deadline, warn: (m) => lines.push(m), info: (m) => lines.push(m) },
      );
      return { lines, resent: proxy.uploadBytes - total, dropped: proxy.dropped };
    } finally {
      await proxy.close();
    }
  }

  it('resumes from the offset the registry reports: bytes sent twice ≤ one chunk', async () => {
    const { lines, resent, dropped } = await promoteThrough('buffered', 'prod/resumed');
    assert.equal(dropped, 1, 'the proxy dropped one connection');
    assert.ok(
      lines.some((l) => /the registry holds \d+ bytes; resuming there/.test(l)),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => /restarting the transfer/.test(l)), 'not restarted whole');
    console.log(`      bytes re-sent after the drop: ${resent} (chunk ${CHUNK_BYTES})`);
    assert.ok(resent > 0 && resent <= CHUNK_BYTES, `bytes re-sent ${resent} ≤ one chunk (${CHUNK_BYTES})`);
    const probe = new RegistryProbe(dst);
    assert.equal(await probe.manifestDigest('prod/resumed', 'v1'), image.digest);
    const layers = ((await probe.manifest('prod/resumed', image.digest)) as { layers: Descriptor[] }).layers;
    for (const l of layers) assert.ok(await probe.hasBlob('prod/resumed', l.digest), l.digest);
  });

  it('restarts the blob when a cut PATCH left the session unusable (distribution answers 404), and completes', async () => {
    const { lines, resent, dropped } = await promoteThrough('streaming', 'prod/restarted');
    assert.equal(dropped, 1);
    assert.ok(
      lines.some((l) => /the upload session is gone|outside the chunk/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /restarting the transfer/.test(l)),
      lines.join('\n'),
    );
    console.log(`      bytes re-sent after the restart: ${resent}`);
    assert.ok(resent > 0 && resent <= big, `re-sent ${resent}`);
    const probe = new RegistryProbe(dst);
    assert.equal(await probe.manifestDigest('prod/restarted', 'v1'), image.digest);
  });
});
