import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { TaskError } from '../../common/errors';
import { RegistryClient } from '../../common/registry/client';
import { Endpoint } from '../../common/registry/copy-graph';
import { Descriptor, ParsedManifest, parseManifest, referrersTag } from '../../common/registry/media-types';
import { discoverReferrers } from '../../common/registry/referrers';

/** Signatures, SBOMs and reports are small documents; anything larger is not read into memory. */
const MAX_LAYER_BYTES = 8 * 1024 * 1024;

export interface AttachedLayer {
  descriptor: Descriptor;
  bytes: Buffer;
}

/** One artifact attached to a subject digest, with its manifest and its (small) layers read. */
export interface Attached {
  digest: string;
  /** referrer: OCI referrers API or its fallback tag; cosign-sig / cosign-att: cosign's sha256-<hex>.sig/.att tags. */
  via: 'referrer' | 'cosign-sig' | 'cosign-att';
  artifactType?: string;
  manifest: ParsedManifest;
  layers: AttachedLayer[];
}

export async function readBlob(client: RegistryClient, repository: string, d: Descriptor): Promise<Buffer> {
  if (d.size > MAX_LAYER_BYTES)
    throw new TaskError(
      `Blob ${d.digest} of ${client.host}/${repository} is ${d.size} bytes; signature and attestation layers are read only up to ${MAX_LAYER_BYTES}.`,
    );
  const stream: Readable = await client.openBlob(repository, d);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > MAX_LAYER_BYTES) {
      stream.destroy();
      throw new TaskError(`Blob ${d.digest} of ${client.host}/${repository} is larger than its descriptor says.`);
    }
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  const [algorithm] = d.digest.split(':');
  const actual = `${algorithm}:${createHash(algorithm === 'sha512' ? 'sha512' : 'sha256')
    .update(bytes)
    .digest('hex')}`;
  if (actual !== d.digest)
    throw new TaskError(
      `Blob ${d.digest} of ${client.host}/${repository} was served with digest ${actual}: the registry or a proxy altered it.`,
    );
  return bytes;
}

async function load(ep: Endpoint, digest: string, via: Attached['via'], artifactType?: string): Promise<Attached> {
  const m = await ep.client.getManifest(ep.repository, digest);
  const manifest = parseManifest(m.bytes, m.descriptor.mediaType, `${ep.client.host}/${ep.repository}@${digest}`);
  const layers = manifest.isIndex
    ? []
    : await Promise.all(
        manifest.blobs
          .slice(1)
          .map(async (d) => ({ descriptor: d, bytes: await readBlob(ep.client, ep.repository, d) })),
      );
  return { digest: m.descriptor.digest, via, artifactType: artifactType ?? manifest.artifactType, manifest, layers };
}

/** Everything attached to `subject` in the source: OCI referrers and cosign's .sig/.att tags, read at once. */
export async function attachedTo(ep: Endpoint, subject: string): Promise<Attached[]> {
  const tag = referrersTag(subject);
  const [refs, sig, att] = await Promise.all([
    discoverReferrers(ep, subject),
    ep.client.resolve(ep.repository, `${tag}.sig`),
    ep.client.resolve(ep.repository, `${tag}.att`),
  ]);
  return Promise.all([
    ...refs.list.map((r) => load(ep, r.digest, 'referrer', r.artifactType)),
    ...(sig ? [load(ep, sig.digest, 'cosign-sig')] : []),
    ...(att ? [load(ep, att.digest, 'cosign-att')] : []),
  ]);
}
