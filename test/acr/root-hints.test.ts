import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { RegistryClient } from '../../tasks/common/registry/client';
import { GraphCopyOptions, RootHints, copyGraph, emptyStats } from '../../tasks/common/registry/copy-graph';
import { Descriptor } from '../../tasks/common/registry/media-types';

/**
 * copyGraph with what promote.ts already knows about the root (RootHints): the order of the target's
 * answers is scripted, so "the blob HEADs go out with the manifest HEAD" is a fact, not a timing.
 */
const blob = (text: string): { d: Descriptor; bytes: Buffer } => {
  const bytes = Buffer.from(text);
  return {
    d: {
      mediaType: 'application/octet-stream',
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      size: bytes.length,
    },
    bytes,
  };
};
const OCI = 'application/vnd.oci.image.manifest.v1+json';

describe('copyGraph with root hints', () => {
  const config = blob('{"architecture":"amd64","os":"linux"}');
  const layers = [blob('layer one'), blob('layer two')];
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI,
      config: { ...config.d, mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers: layers.map((l) => ({ ...l.d, mediaType: 'application/vnd.oci.image.layer.v1.tar' })),
    }),
  );
  const root: Descriptor = {
    mediaType: OCI,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
  };
  const contents = new Map([config, ...layers].map((b) => [b.d.digest, b.bytes]));

  function world(manifestInTarget: boolean) {
    const calls: string[] = [];
    let answerManifestHead!: () => void;
    const manifestHead = new Promise<void>((r) => (answerManifestHead = r));
    const source = {
      host: 'src.example',
      getManifest: async (_repo: string, ref: string) => {
        calls.push(`source GET ${ref}`);
        return { descriptor: root, bytes };
      },
      openBlob: async (_repo: string, d: Descriptor) => Readable.from([contents.get(d.digest)!]),
    } as unknown as RegistryClient;
    const target = {
      host: 'dst.example',
      resolve: async (_repo: string, ref: string) => {
        calls.push(`HEAD manifest ${ref}`);
        await manifestHead;
        return manifestInTarget ? root : undefined;
      },
      hasBlob: async (_repo: string, digest: string) => {
        calls.push(`HEAD blob ${digest}`);
        return false;
      },
      startUpload: async () => ({ mounted: false, location: 'http://dst.example/upload' }),
      completeUpload: async (_location: string, d: Descriptor, body: Readable) => {
        for await (const chunk of body) void chunk;
        calls.push(`uploaded ${d.digest}`);
      },
      putManifest: async (_repo: string, ref: string) => {
        calls.push(`PUT manifest ${ref}`);
        return { subjectIndexed: false };
      },
    } as unknown as RegistryClient;
    return { source, target, calls, answerManifestHead };
  }

  const copy = async (w: ReturnType<typeof world>, hints: RootHints) => {
    const opts: GraphCopyOptions = {
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
      concurrency: 6,
      stats: emptyStats(),
    };
    const pushed = await copyGraph(
      { client: w.source, repository: 'app' },
      { client: w.target, repository: 'app' },
      root,
      opts,
      hints,
    );
    return { pushed, stats: opts.stats };
  };

  it('with the manifest known, every blob HEAD goes out before the target answers for the manifest', async () => {
    const w = world(false);
    const copying = copy(w, { manifest: { descriptor: root, bytes } });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      w.calls.slice().sort(),
      [
        `HEAD blob ${config.d.digest}`,
        `HEAD blob ${layers[0].d.digest}`,
        `HEAD blob ${layers[1].d.digest}`,
        `HEAD manifest ${root.digest}`,
      ].sort(),
    );
    w.answerManifestHead();
    const { stats } = await copying;
    assert.ok(!w.calls.some((c) => c.startsWith('source GET')), 'the known manifest is not read again');
    assert.equal(w.calls.filter((c) => c.startsWith('HEAD blob')).length, 3, 'each blob asked once');
    assert.equal(stats.blobsCopied, 3);
    assert.equal(w.calls.at(-1), `PUT manifest ${root.digest}`);
  });

  it('without the manifest, blobs are asked about only once the target lacks the manifest (as before)', async () => {
    const w = world(false);
    const copying = copy(w, {});
    await new Promise((r) => setImmediate(r));
    assert.ok(!w.calls.some((c) => c.startsWith('HEAD blob')), w.calls.join(', '));
    w.answerManifestHead();
    await copying;
    assert.equal(w.calls.filter((c) => c.startsWith('HEAD blob')).length, 3);
  });

  it('pushAs: the root goes in under the tag it returns, instead of its digest', async () => {
    const w = world(false);
    w.answerManifestHead();
    await copy(w, { manifest: { descriptor: root, bytes }, pushAs: async () => 'v1' });
    assert.deepEqual(
      w.calls.filter((c) => c.startsWith('PUT')),
      ['PUT manifest v1'],
    );
  });

  it('inTarget: nothing is asked, read or pushed', async () => {
    const w = world(true);
    const { pushed, stats } = await copy(w, { manifest: { descriptor: root, bytes }, inTarget: true });
    assert.deepEqual(w.calls, []);
    assert.deepEqual(pushed, []);
    assert.equal(stats.manifestsPresent, 1);
  });

  it('the manifest turns out to be in the target: the early blob HEADs are dropped, nothing moves', async () => {
    const w = world(true);
    w.answerManifestHead();
    const { pushed, stats } = await copy(w, { manifest: { descriptor: root, bytes } });
    assert.deepEqual(pushed, []);
    assert.equal(stats.manifestsPresent, 1);
    assert.equal(stats.blobsCopied, 0);
    assert.ok(!w.calls.some((c) => c.startsWith('uploaded') || c.startsWith('PUT')), w.calls.join(', '));
  });
});
