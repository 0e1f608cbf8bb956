import * as fs from 'node:fs';
import * as assert from 'node:assert/strict';
import { Endpoint } from '../../devkit/agent/agent-run';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { runAcrPromote } from './support/run-in-process';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';

describe('AcrPromote copy mode between two real registries (docker-registry 2.8 + token auth)', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let srcProbe: RegistryProbe;
  let dstProbe: RegistryProbe;
  let image: Descriptor;
  let other: Descriptor;
  let multi: { index: string; platforms: Descriptor[] };
  let referrers: Descriptor[];
  let cosignSig: Descriptor;
  let chart: Descriptor;
  let platformSig: Descriptor;
  let endpoints: Record<string, Endpoint>;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'src' }), startLocalRegistry({ name: 'dst' })]);
    srcProbe = new RegistryProbe(src);
    dstProbe = new RegistryProbe(dst);
    layout = new OciLayout(tempDir('layout'));
    image = layout.image({ layerSizes: [300_000, 200_000, 100_000] });
    layout.tag('v1', image);
    other = layout.image({ layerSizes: [50_000] });
    layout.tag('v2', other);
    const amd = layout.image({ layerSizes: [40_000], architecture: 'amd64' });
    const arm = layout.image({ layerSizes: [41_000], architecture: 'arm64' });
    layout.tag('multi', layout.index([amd, arm]));
    referrers = [
      layout.referrer(image, 'application/vnd.dev.cosign.artifact.sig.v1+json', 'signature-bytes'),
      layout.referrer(image, 'application/spdx+json', '{"spdxVersion":"SPDX-2.3"}'),
    ];
    const fallback = layout.referrersIndex(image, referrers);
    layout.tag(fallback.tag, fallback.descriptor);
    cosignSig = layout.referrer(image, 'application/vnd.dev.cosign.simplesigning.v1+json', '{"critical":{}}');
    layout.tag(`${fallback.tag}.sig`, cosignSig);
    chart = layout.artifact(
      'application/vnd.cncf.helm.config.v1+json',
      '{"name":"web","version":"1.2.3","apiVersion":"v2"}',
      'application/vnd.cncf.helm.chart.content.v1.tar.gz',
      Buffer.from('chart-archive-bytes'),
    );
    layout.tag('chart', chart);
    await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
    await skopeoSeed(layout.dir, 'chart', src, 'charts/web:1.2.3');
    await skopeoSeed(layout.dir, 'v2', src, 'team/app:v2');
    await skopeoSeed(layout.dir, 'multi', src, 'team/app:multi', { all: true });
    await skopeoSeed(layout.dir, fallback.tag, src, `team/app:${fallback.tag}`, { all: true });
    await skopeoSeed(layout.dir, `${fallback.tag}.sig`, src, `team/app:${fallback.tag}.sig`);
    // skopeo re-serialises indexes (and their platform manifests): take what the source holds.
    const seededIndex = await srcProbe.manifest('team/app', 'multi');
    multi = {
      index: (await srcProbe.manifestDigest('team/app', 'multi'))!,
      platforms: seededIndex.manifests as Descriptor[],
    };
    assert.equal(multi.platforms.length, 2);
    // A signature of one platform only (what per-platform signing produces).
    platformSig = layout.referrer(multi.platforms[0], 'application/vnd.example.signature', 'arm-sig');
    const platformFallback = layout.referrersIndex(multi.platforms[0], [platformSig]);
    layout.tag(platformFallback.tag, platformFallback.descriptor);
    await skopeoSeed(layout.dir, platformFallback.tag, src, `team/app:${platformFallback.tag}`, { all: true });
    endpoints = {
      src: registryEndpoint(src, READER),
      dst: registryEndpoint(dst, ADMIN),
      bad: registryEndpoint(dst, { username: ADMIN.username, password: 'wrong-Passw0rd!' }),
    };
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const inputs = (over: Record<string, string>): Record<string, string> => ({
    sourceImage: `${src.host}/team/app:v1`,
    targetRegistry: dst.host,
    sourceRegistryConnection: 'src',
    targetRegistryConnection: 'dst',
    ...over,
  });

  it('promotes a single image with its referrers, then a re-run moves no blob byte', async () => {
    const first = await runAcrPromote(inputs({ targetRepository: 'prod/app', targetTags: 'v1, stable' }), endpoints);
    assert.equal(first.host.result?.result, 'Succeeded', first.host.result?.message);
    assert.equal(first.host.outputs.imageDigest, image.digest);
    assert.equal(first.host.outputs.targetImage, `${dst.host}/prod/app@${image.digest}`);
    assert.equal(await dstProbe.manifestDigest('prod/app', 'v1'), image.digest);
    assert.equal(await dstProbe.manifestDigest('prod/app', 'stable'), image.digest);
    const m = await dstProbe.manifest('prod/app', image.digest);
    for (const layer of m.layers as Descriptor[]) assert.ok(await dstProbe.hasBlob('prod/app', layer.digest));
    const d = first.record!.details as Record<string, number | string>;
    const expectedBytes = (m.layers as Descriptor[]).reduce((n, l) => n + l.size, (m.config as Descriptor).size);
    assert.ok((d.bytesMoved as number) >= expectedBytes, `bytesMoved ${d.bytesMoved} < ${expectedBytes}`);
    assert.equal(first.record!.artifact?.digest, image.digest);
    assert.deepEqual(first.record!.artifact?.tags, ['v1', 'stable']);
    assert.equal(first.record!.environment, 'prod');
    // Referrers: both OCI 1.1 artifacts and the cosign tag, findable in the target the same way.
    assert.equal(d.referrersCopied, 3);
    const fallbackTag = image.digest.replace(':', '-');
    const index = await dstProbe.manifest('prod/app', fallbackTag);
    assert.deepEqual(
      (index.manifests as Descriptor[]).map((x) => x.digest).sort(),
      referrers.map((r) => r.digest).sort(),
    );
    assert.ok(
      (index.manifests as Descriptor[]).every((x) => x.artifactType),
      'fallback index entries carry artifactType',
    );
    assert.equal(await dstProbe.manifestDigest('prod/app', `${fallbackTag}.sig`), cosignSig.digest);

    const again = await runAcrPromote(inputs({ targetRepository: 'prod/app', targetTags: 'v1, stable' }), endpoints);
    assert.equal(again.host.result?.result, 'Succeeded', again.host.result?.message);
    const d2 = again.record!.details as Record<string, number | string>;
    assert.equal(d2.bytesMoved, 0);
    assert.equal(d2.blobsCopied, 0);
    assert.equal(d2.manifestsPushed, 0);
    assert.equal(d2.referrersCopied, 0);
    assert.equal(d2.tagsMoved, 'none');
  });

  it('promotes a multi-arch index with every platform, by digest', async () => {
    const run = await runAcrPromote(
      inputs({ sourceImage: `${src.host}/team/app:multi`, targetRepository: 'prod/multi', targetTags: '1.0' }),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(run.host.outputs.imageDigest, multi.index);
    assert.equal(await dstProbe.manifestDigest('prod/multi', '1.0'), multi.index);
    for (const p of multi.platforms) {
      assert.equal(await dstProbe.manifestDigest('prod/multi', p.digest), p.digest);
      const m = await dstProbe.manifest('prod/multi', p.digest);
      for (const layer of m.layers as Descriptor[]) assert.ok(await dstProbe.hasBlob('prod/multi', layer.digest));
    }
    assert.match(String(run.record!.details.platforms), /linux\/amd64.*linux\/arm64/);
    assert.equal(run.record!.details.referrersCopied, 1, 'the per-platform signature came along');
    const index = await dstProbe.manifest('prod/multi', multi.platforms[0].digest.replace(':', '-'));
    assert.deepEqual(
      (index.manifests as Descriptor[]).map((m) => m.digest),
      [platformSig.digest],
    );
  });

  it('promotes a platform subset of a multi-arch index as a new index, and says why the digest changed', async () => {
    const amd = multi.platforms.find((p) => p.platform?.architecture === 'amd64')!;
    const arm = multi.platforms.find((p) => p.platform?.architecture === 'arm64')!;
    const run = await runAcrPromote(
      inputs({
        sourceImage: `${src.host}/team/app:multi`,
        targetRepository: 'prod/subset',
        targetTags: '1.0-amd64',
        platforms: 'linux/amd64',
      }),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const digest = run.host.outputs.imageDigest;
    assert.notEqual(digest, multi.index);
    assert.equal(run.host.outputs.sourceDigest, multi.index);
    assert.match(
      run.host.outputs.digestChangeReason,
      new RegExp(`platforms linux/amd64 of ${multi.index} \\(without linux/arm64\\) make a new index`),
    );
    assert.match(run.host.result.message, /digest changed: platforms linux\/amd64/);
    assert.equal(await dstProbe.manifestDigest('prod/subset', '1.0-amd64'), digest);
    const index = await dstProbe.manifest('prod/subset', digest);
    assert.deepEqual(
      (index.manifests as Descriptor[]).map((m) => m.digest),
      [amd.digest],
    );
    assert.equal(
      await dstProbe.manifestDigest('prod/subset', arm.digest),
      undefined,
      'the dropped platform was not copied',
    );
    assert.equal(run.record!.details.digestChanged, run.host.outputs.digestChangeReason);
    // The kept platform's own signature came along.
    assert.equal(run.record!.details.referrersCopied, 1);
    // Idempotent: the same subset is the same digest, and nothing moves again.
    const again = await runAcrPromote(
      inputs({
        sourceImage: `${src.host}/team/app:multi`,
        targetRepository: 'prod/subset',
        targetTags: '1.0-amd64',
        platforms: 'linux/amd64',
      }),
      endpoints,
    );
    assert.equal(again.host.result?.result, 'Succeeded', again.host.result?.message);
    assert.equal(again.host.outputs.imageDigest, digest);
    assert.equal((again.record!.details as Record<string, number>).bytesMoved, 0);
    assert.equal(again.record!.details.tagsMoved, 'none');
    const none = await runAcrPromote(
      inputs({
        sourceImage: `${src.host}/team/app:multi`,
        targetRepository: 'prod/subset2',
        platforms: 'windows/amd64',
      }),
      endpoints,
    );
    assert.equal(none.host.result?.result, 'Failed');
    assert.match(
      none.host.result.message,
      /Input 'platforms': none of windows\/amd64 is in .* \(it has linux\/amd64, linux\/arm64\)/,
    );
    assert.deepEqual(dstProbe.tags('prod/subset2'), []);
  });

  it('refuses to move a tag that points to another digest, before copying anything', async () => {
    const seeded = await runAcrPromote(
      inputs({
        sourceImage: `${src.host}/team/app:v2`,
        targetRepository: 'prod/conflict',
        targetTags: 'release',
        includeReferrers: 'false',
      }),
      endpoints,
    );
    assert.equal(seeded.host.result?.result, 'Succeeded', seeded.host.result?.message);
    const blobsBefore = dstProbe.storedBlobs().length;
    const run = await runAcrPromote(inputs({ targetRepository: 'prod/conflict', targetTags: 'release' }), endpoints);
    assert.equal(run.host.result?.result, 'Failed');
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, new RegExp(`'release' points to ${other.digest}.*${image.digest}`));
    assert.match(run.host.result.message, /allowTagOverwrite/);
    assert.equal(await dstProbe.manifestDigest('prod/conflict', 'release'), other.digest);
    assert.equal(await dstProbe.manifestDigest('prod/conflict', image.digest), undefined);
    assert.equal(dstProbe.storedBlobs().length, blobsBefore, 'no blob was uploaded');

    const forced = await runAcrPromote(
      inputs({ targetRepository: 'prod/conflict', targetTags: 'release', allowTagOverwrite: 'true' }),
      endpoints,
    );
    assert.equal(forced.host.result?.result, 'Succeeded', forced.host.result?.message);
    assert.equal(await dstProbe.manifestDigest('prod/conflict', 'release'), image.digest);
    assert.match(String(forced.record!.details.tagsOverwritten), new RegExp(other.digest));
  });

  it('fails with a clear error naming the connection on a wrong password, and moves nothing', async () => {
    const blobsBefore = dstProbe.storedBlobs().length;
    const run = await runAcrPromote(
      inputs({ targetRepository: 'prod/denied', targetTags: 'v1', targetRegistryConnection: 'bad' }),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /rejected the credentials of service connection 'bad' \(input 'targetRegistryConnection'\)/,
    );
    assert.match(run.host.result.message, /Check the user name and password/);
    assert.doesNotMatch(run.host.result.message, /wrong-Passw0rd|\n\s+at /);
    assert.equal(dstProbe.storedBlobs().length, blobsBefore);
    assert.deepEqual(dstProbe.tags('prod/denied'), []);
    assert.equal(run.record?.status, 'failed');
  });

  it('names the missing right when a read-only connection is used for the target', async () => {
    const run = await runAcrPromote(
      inputs({ targetRepository: 'prod/readonly', targetTags: 'v1', targetRegistryConnection: 'ro' }),
      { ...endpoints, ro: registryEndpoint(dst, READER) },
    );
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /service connection 'ro'.*do not grant 'push' on repository 'prod\/readonly'/,
    );
    assert.deepEqual(dstProbe.tags('prod/readonly'), []);
  });

  it('promotes a Helm chart (an OCI artifact) the same way', async () => {
    const run = await runAcrPromote(
      inputs({ sourceImage: `${src.host}/charts/web:1.2.3`, targetTags: '1.2.3' }),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(await dstProbe.manifestDigest('charts/web', '1.2.3'), chart.digest);
    const m = await dstProbe.manifest('charts/web', chart.digest);
    assert.equal((m.config as Descriptor).mediaType, 'application/vnd.cncf.helm.config.v1+json');
    assert.ok(await dstProbe.hasBlob('charts/web', (m.layers as Descriptor[])[0].digest));
  });

  it('mounts blobs across repositories inside one registry instead of copying them', async () => {
    const run = await runAcrPromote(
      inputs({
        sourceImage: `${src.host}/team/app@${image.digest}`,
        targetRegistry: src.host,
        targetRepository: 'mirror/app',
        targetTags: 'v1',
        targetRegistryConnection: 'srcAdmin',
        includeReferrers: 'false',
      }),
      {
        ...endpoints,
        srcAdmin: registryEndpoint(src, ADMIN),
      },
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const d = run.record!.details as Record<string, number>;
    assert.equal(d.bytesMoved, 0);
    assert.equal(d.blobsMounted, 4);
    assert.equal(await srcProbe.manifestDigest('mirror/app', 'v1'), image.digest);
  });
});
