import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { RegistryClient } from '../../tasks/common/registry/client';
import { GraphCopyOptions, copyGraph, emptyStats } from '../../tasks/common/registry/copy-graph';
import { Descriptor } from '../../tasks/common/registry/media-types';

/**
 * Two graphs copied at once that share a blob (cosign's .sig and .att manifests have one config blob):
 * the blob is uploaded once. docker-registry answers a second concurrent upload of the same blob into the
 * same repository with DIGEST_INVALID at the manifest PUT (seen in CI on test/acr/verify.test.ts).
 * The network is scripted: the source serves two manifests, the target counts upload sessions.
 */
const blob = (text: string): { d: Descriptor; bytes: Buffer } => {
  const bytes = Buffer.from(text);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { d: { mediaType: 'application/octet-stream', digest, size: bytes.length }, bytes };
};
const OCI = 'application/vnd.oci.image.manifest.v1+json';

describe('copying graphs that share a blob at once', () => {
  const config = blob('{"architecture":"","os":""}');
  const layers = [blob('signature payload'), blob('attestation envelope')];
  const manifests = layers.map((layer) => {
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI,
        config: { ...config.d, mediaType: 'application/vnd.oci.image.config.v1+json' },
        layers: [layer.d],
      }),
    );
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return { d: { mediaType: OCI, digest, size: bytes.length }, bytes };
  });
  const blobs = new Map([config, ...layers].map((b) => [b.d.digest, b.bytes]));

  function world() {
    const stored = new Set<string>();
    const sessions: string[] = [];
    const source = {
      host: 'src.example',
      getManifest: async (_repo: string, ref: string) => {
        const m = manifests.find((x) => x.d.digest === ref)!;
        return { descriptor: m.d, bytes: m.bytes };
      },
      openBlob: async (_repo: string, d: Descriptor) => Readable.from([blobs.get(d.digest)!]),
    } as unknown as RegistryClient;
    const target = {
      host: 'dst.example',
      resolve: async () => undefined,
      hasBlob: async (_repo: string, digest: string) => stored.has(digest),
      startUpload: async () => ({ mounted: false, location: `/upload/${sessions.length}` }),
      completeUpload: async (_location: string, d: Descriptor, body: Readable) => {
        sessions.push(d.digest);
        for await (const chunk of body) void chunk; // the bytes arrive over a few ticks, as on a socket
        await new Promise((r) => setTimeout(r, 20));
        stored.add(d.digest);
      },
      putManifest: async () => undefined,
    } as unknown as RegistryClient;
    return { source, target, sessions };
  }

  const copyBoth = async (inflight?: GraphCopyOptions['inflight']) => {
    const w = world();
    const opts: GraphCopyOptions = {
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
      concurrency: 6,
      stats: emptyStats(),
      inflight,
    };
    const src = { client: w.source, repository: 'app' };
    const dst = { client: w.target, repository: 'app' };
    await Promise.all(manifests.map((m) => copyGraph(src, dst, m.d, opts)));
    return { sessions: w.sessions, stats: opts.stats };
  };

  it('uploads the shared config blob once when the promotion shares its in-flight transfers', async () => {
    const { sessions, stats } = await copyBoth(new Map());
    assert.equal(sessions.filter((d) => d === config.d.digest).length, 1, sessions.join(' '));
    assert.equal(sessions.length, 3);
    assert.equal(stats.blobsCopied + stats.blobsPresent, 4, 'each graph accounts for both its blobs');
  });

  it('control: without the shared map both graphs upload it (what docker-registry refuses)', async () => {
    const { sessions } = await copyBoth(undefined);
    assert.equal(sessions.filter((d) => d === config.d.digest).length, 2, sessions.join(' '));
  });
});
