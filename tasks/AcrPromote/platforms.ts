import { TaskError } from '../common/errors';
import { Endpoint } from '../common/registry/copy-graph';
import { Descriptor, MediaType, digestOf, isIndexType, parseManifest } from '../common/registry/media-types';

/**
 * `platforms`: promote only some platforms of a multi-arch index. The result is a new index
 * (the source's document with its `manifests` filtered, every other field kept), hence a new
 * digest: deploy that one. Attestation manifests that buildx adds (platform unknown/unknown,
 * annotated with the digest they describe) follow the platform they describe.
 */
export interface PlatformSubset {
  descriptor: Descriptor;
  bytes: Buffer;
  kept: Descriptor[];
  keptNames: string[];
  droppedNames: string[];
}

export function platformName(d: Descriptor): string | undefined {
  const p = d.platform;
  if (!p?.os || !p.architecture || p.os === 'unknown') return undefined;
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** linux/arm64 matches linux/arm64/v8 (the variant is optional when written without one), as Docker matches. */
export function platformMatches(wanted: string, name: string): boolean {
  const w = wanted.toLowerCase().split('/');
  const n = name.toLowerCase().split('/');
  return w[0] === n[0] && w[1] === n[1] && (w.length < 3 || w[2] === n[2]);
}

/** Pure: the filtered index document, or why none can be made. */
export function filterIndex(bytes: Buffer, mediaType: string, wanted: string[], where: string): PlatformSubset {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> & { manifests: Descriptor[] };
  const all = parseManifest(bytes, mediaType, where).manifests;
  const named = all.map((d) => ({ d, name: platformName(d) }));
  const kept = named.filter((x) => x.name && wanted.some((w) => platformMatches(w, x.name!)));
  const available = named.map((x) => x.name).filter((n): n is string => !!n);
  if (!kept.length) {
    throw new TaskError(
      `Input 'platforms': none of ${wanted.join(', ')} is in ${where} (it has ${available.join(', ') || 'no platform entries'}).`,
      'List platforms the index has, as os/arch[/variant].',
    );
  }
  const keptDigests = new Set(kept.map((x) => x.d.digest));
  const attestations = all.filter(
    (d) => !platformName(d) && keptDigests.has(d.annotations?.['vnd.docker.reference.digest'] ?? ''),
  );
  const manifests = all.filter((d) => keptDigests.has(d.digest) || attestations.includes(d));
  const out = Buffer.from(JSON.stringify({ ...doc, manifests }));
  return {
    descriptor: { mediaType: mediaType || MediaType.ociIndex, digest: digestOf(out, 'sha256'), size: out.length },
    bytes: out,
    kept: manifests,
    keptNames: kept.map((x) => x.name!),
    droppedNames: available.filter((n) => !kept.some((k) => k.name === n)),
  };
}

export async function selectPlatforms(
  src: Endpoint,
  root: Descriptor,
  wanted: string[],
): Promise<PlatformSubset | undefined> {
  const where = `${src.client.host}/${src.repository}@${root.digest}`;
  if (!isIndexType(root.mediaType)) {
    throw new TaskError(
      `Input 'platforms': ${where} is a single-platform manifest, not a multi-arch index.`,
      "Leave 'platforms' empty for single-platform images.",
    );
  }
  const m = await src.client.getManifest(src.repository, root.digest);
  const subset = filterIndex(m.bytes, m.descriptor.mediaType, wanted, where);
  // Every platform asked for and nothing else in the index: the original digest is promoted unchanged.
  return subset.droppedNames.length ? subset : undefined;
}
