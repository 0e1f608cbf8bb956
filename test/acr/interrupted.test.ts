import * as fs from 'node:fs';
import * as assert from 'node:assert/strict';
import { HttpClient } from '../../tasks/common/http';
import { DistributionClient } from '../../tasks/common/registry/client';
import { promoteByCopy } from '../../tasks/AcrPromote/promote';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { runAcrPromote } from './support/run-in-process';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';

describe('AcrPromote interrupted copy', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let image: Descriptor;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'isrc' }), startLocalRegistry({ name: 'idst' })]);
    layout = new OciLayout(tempDir('ilayout'));
    image = layout.image({ layerSizes: [1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20] });
    layout.tag('v1', image);
    await skopeoSeed(layout.dir, 'v1', src, 'team/big:v1');
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it('aborted mid-way leaves no tag moved, and a re-run converges copying only what is missing', async () => {
    const controller = new AbortController();
    const deadline = Date.now() + 30_000;
    const http = new HttpClient({ signal: controller.signal, deadline });
    const deps = { http, signal: controller.signal, secrets: { register: (v: string | undefined) => v } };
    const source = new DistributionClient(
      src.host,
      { kind: 'basic', label: 'src', username: READER.username, password: READER.password },
      deps,
    );
    const target = new DistributionClient(
      dst.host,
      { kind: 'basic', label: 'dst', username: ADMIN.username, password: ADMIN.password },
      deps,
    );
    const lines: string[] = [];
    const promotion = promoteByCopy(
      {
        source: { client: source, repository: 'team/big', tag: 'v1' },
        target: { client: target, repository: 'prod/big' },
        tags: ['v1'],
        includeReferrers: true,
        allowTagOverwrite: false,
        lockTarget: false,
        concurrency: 2,
      },
      {
        signal: controller.signal,
        deadline,
        warn: (m) => lines.push(m),
        // Abort as soon as the first blob lands: the other one in flight is cut mid-stream.
        info: (m) => {
          lines.push(m);
          if (m.startsWith('copied blob')) controller.abort(new Error('cancelled by the test'));
        },
      },
    );
    await assert.rejects(promotion, /cancelled by the test/);
    const probe = new RegistryProbe(dst);
    assert.deepEqual(probe.tags('prod/big'), [], 'no tag moved');
    assert.equal(await probe.manifestDigest('prod/big', image.digest), undefined, 'no manifest pushed');
    const layers = (
      JSON.parse(JSON.stringify(await new RegistryProbe(src).manifest('team/big', image.digest))) as {
        layers: Descriptor[];
      }
    ).layers;
    const present = (await Promise.all(layers.map((l) => probe.hasBlob('prod/big', l.digest)))).filter(Boolean).length;
    assert.ok(present >= 1 && present < layers.length, `some but not all blobs present (${present})`);

    const rerun = await runAcrPromote(
      {
        sourceImage: `${src.host}/team/big:v1`,
        targetRegistry: dst.host,
        targetRepository: 'prod/big',
        sourceRegistryConnection: 'src',
        targetRegistryConnection: 'dst',
      },
      { src: registryEndpoint(src, READER), dst: registryEndpoint(dst, ADMIN) },
    );
    assert.equal(rerun.host.result?.result, 'Succeeded', rerun.host.result?.message);
    assert.equal(await probe.manifestDigest('prod/big', 'v1'), image.digest);
    const d = rerun.record!.details as Record<string, number>;
    assert.equal(d.blobsPresent, present);
    assert.equal(d.blobsCopied, layers.length + 1 - present);
    assert.ok(d.bytesMoved < 6 << 20, `re-run moved only what was missing (${d.bytesMoved})`);
  });
});
