import { GraphCopyOptions, Endpoint, copyGraph } from './copy-graph';
import { Descriptor, MediaType, isIndexType, parseManifest, referrersTag } from './media-types';

export interface ReferrerCopied {
  digest: string;
  artifactType?: string;
  subject: string;
  /** How the source exposed it: OCI referrers API, the sha256-<hex> fallback tag, or a cosign tag. */
  via: 'api' | 'fallback-tag' | 'cosign-tag';
  /** The cosign tag it is published under, when via is cosign-tag. */
  tag?: string;
  existed: boolean;
}

/** cosign's tag convention, older than OCI referrers and still what most signed images use. */
const COSIGN_SUFFIXES = ['sig', 'att', 'sbom'];
const MAX_DEPTH = 3;

/** The referrers of `digest` in a repository: the referrers API, else the tag-schema fallback index. */
export async function discoverReferrers(
  ep: Endpoint,
  digest: string,
): Promise<{ list: Descriptor[]; via: 'api' | 'fallback-tag' }> {
  const tag = referrersTag(digest);
  // Both at once: one round trip on registries without the API (most today), one wasted HEAD on the others.
  const [viaApi, fallback] = await Promise.all([
    ep.client.referrers(ep.repository, digest),
    ep.client.resolve(ep.repository, tag),
  ]);
  if (viaApi) return { list: viaApi, via: 'api' };
  if (!fallback) return { list: [], via: 'fallback-tag' };
  const index = await ep.client.getManifest(ep.repository, tag);
  const parsed = parseManifest(index.bytes, index.descriptor.mediaType, `${ep.client.host}/${ep.repository}:${tag}`);
  return { list: parsed.manifests, via: 'fallback-tag' };
}

export interface ReferrerCopyResult {
  copied: ReferrerCopied[];
  /** cosign tags to set in the target with the other tags, last. */
  cosignTags: { tag: string; manifest: { digest: string; mediaType: string; bytes: Buffer } }[];
  /** cosign tags left alone because the target already has a different one. */
  skippedCosignTags: { tag: string; target: string; source: string }[];
}

/** What the source holds about one subject: its referrers (API or fallback index) and its cosign tags. */
export interface SubjectScan {
  subject: Descriptor;
  referrers: { list: Descriptor[]; via: 'api' | 'fallback-tag' };
  cosign: { tag: string; suffix: string; found: Descriptor }[];
}

/** Reads, in the source only, what hangs off one subject: everything at once, one round trip on most registries. */
async function scanSubject(src: Endpoint, of: Descriptor): Promise<SubjectScan> {
  const base = referrersTag(of.digest);
  const [referrers, cosign] = await Promise.all([
    discoverReferrers(src, of.digest),
    Promise.all(
      COSIGN_SUFFIXES.map(async (suffix) => {
        const tag = `${base}.${suffix}`;
        const found = await src.client.resolve(src.repository, tag);
        return found ? [{ tag, suffix, found }] : [];
      }),
    ),
  ]);
  return { subject: of, referrers, cosign: cosign.flat() };
}

/**
 * The referrers and cosign tags of `subject` and, for a multi-arch index, of each platform (signatures and
 * attestations may hang off either). Source reads only: promote.ts runs it while the blobs are copied, so
 * the copy's tail is shorter, and learns whether the root may be pushed under its tag at once.
 */
export async function scanReferrers(src: Endpoint, subject: Descriptor, subjectBytes?: Buffer): Promise<SubjectScan[]> {
  const platforms = isIndexType(subject.mediaType)
    ? subjectBytes
      ? parseManifest(subjectBytes, subject.mediaType, `${src.client.host}/${src.repository}@${subject.digest}`)
          .manifests
      : (await fetchParsed(src, subject.digest)).parsed.manifests
    : [];
  return Promise.all([subject, ...platforms].map((d) => scanSubject(src, d)));
}

/** Whether a scan found anything to copy. */
export function foundReferrers(scans: SubjectScan[]): boolean {
  return scans.some((s) => s.referrers.list.length > 0 || s.cosign.length > 0);
}

/**
 * Copies every referrer of `subject` (and theirs, to MAX_DEPTH): each as a graph by digest.
 * When the target does not index subjects itself (no OCI-Subject header, no referrers API),
 * its sha256-<hex> fallback index is merged with what we pushed, so tools find them there.
 * `scans` (scanReferrers, read earlier) stand in for the first level's reads.
 */
export async function copyReferrers(
  src: Endpoint,
  dst: Endpoint,
  subject: Descriptor,
  opts: GraphCopyOptions,
  scans?: SubjectScan[],
): Promise<ReferrerCopyResult> {
  const result: ReferrerCopyResult = { copied: [], cosignTags: [], skippedCosignTags: [] };
  const visited = new Set<string>([subject.digest]);
  const walk = async (of: Descriptor, depth: number, scanned?: SubjectScan): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    const scan = scanned ?? (await scanSubject(src, of));
    // cosign's tags are independent of OCI referrers: both at once.
    await Promise.all([walkReferrers(of, depth, scan.referrers), copyCosignTags(src, dst, of, scan, opts, result)]);
  };
  const walkReferrers = async (of: Descriptor, depth: number, found: SubjectScan['referrers']): Promise<void> => {
    const forFallback: Descriptor[] = [];
    for (const ref of found.list) {
      if (visited.has(ref.digest)) continue;
      visited.add(ref.digest);
      const existed = !!(await dst.client.resolve(dst.repository, ref.digest));
      const pushed = existed ? [] : await copyGraph(src, dst, ref, opts);
      const top = pushed.find((m) => m.descriptor.digest === ref.digest);
      const manifest = top ?? (await fetchParsed(src, ref.digest));
      forFallback.push({
        mediaType: manifest.descriptor.mediaType,
        digest: ref.digest,
        size: manifest.descriptor.size,
        ...(manifest.parsed.artifactType ? { artifactType: manifest.parsed.artifactType } : {}),
        ...(manifest.parsed.annotations ? { annotations: manifest.parsed.annotations } : {}),
      });
      result.copied.push({
        digest: ref.digest,
        artifactType: manifest.parsed.artifactType,
        subject: of.digest,
        via: found.via,
        existed,
      });
      opts.log?.(
        `${existed ? 'referrer already in target' : 'copied referrer'} ${ref.digest}${manifest.parsed.artifactType ? ` (${manifest.parsed.artifactType})` : ''}`,
      );
      await walk(ref, depth + 1);
    }
    if (forFallback.length) {
      const targetIndexes = (await dst.client.referrers(dst.repository, of.digest)) !== undefined;
      if (!targetIndexes) await mergeFallbackIndex(dst, of.digest, forFallback);
    }
  };
  const first = scans ?? (await scanReferrers(src, subject));
  await Promise.all(first.map((scan) => walk(scan.subject, 1, scan)));
  return result;
}

async function fetchParsed(
  ep: Endpoint,
  digest: string,
): Promise<{ descriptor: Descriptor; parsed: ReturnType<typeof parseManifest> }> {
  const m = await ep.client.getManifest(ep.repository, digest);
  return {
    descriptor: m.descriptor,
    parsed: parseManifest(m.bytes, m.descriptor.mediaType, `${ep.client.host}/${ep.repository}@${digest}`),
  };
}

/** Adds descriptors to the target's sha256-<hex> index, keeping entries other tools put there. */
async function mergeFallbackIndex(dst: Endpoint, subjectDigest: string, add: Descriptor[]): Promise<void> {
  const tag = referrersTag(subjectDigest);
  let existing: Descriptor[] = [];
  let doc: Record<string, unknown> = { schemaVersion: 2, mediaType: MediaType.ociIndex };
  if (await dst.client.resolve(dst.repository, tag)) {
    const current = await dst.client.getManifest(dst.repository, tag);
    doc = JSON.parse(current.bytes.toString('utf8')) as Record<string, unknown>;
    existing = parseManifest(
      current.bytes,
      current.descriptor.mediaType,
      `${dst.client.host}/${dst.repository}:${tag}`,
    ).manifests;
  }
  const missing = add.filter((d) => !existing.some((e) => e.digest === d.digest));
  if (!missing.length) return;
  const bytes = Buffer.from(
    JSON.stringify({ ...doc, mediaType: MediaType.ociIndex, manifests: [...existing, ...missing] }),
  );
  await dst.client.putManifest(dst.repository, tag, bytes, MediaType.ociIndex);
}

async function copyCosignTags(
  src: Endpoint,
  dst: Endpoint,
  of: Descriptor,
  scan: SubjectScan,
  opts: GraphCopyOptions,
  result: ReferrerCopyResult,
): Promise<void> {
  await Promise.all(
    scan.cosign.map(async ({ tag, suffix, found }) => {
      const current = await dst.client.resolve(dst.repository, tag);
      if (current && current.digest !== found.digest) {
        result.skippedCosignTags.push({ tag, target: current.digest, source: found.digest });
        return;
      }
      const pushed = await copyGraph(src, dst, found, opts);
      result.copied.push({
        digest: found.digest,
        artifactType: `cosign ${suffix}`,
        subject: of.digest,
        via: 'cosign-tag',
        tag,
        existed: !pushed.length,
      });
      if (current) return;
      const manifest = await src.client.getManifest(src.repository, found.digest);
      result.cosignTags.push({
        tag,
        manifest: { digest: found.digest, mediaType: manifest.descriptor.mediaType, bytes: manifest.bytes },
      });
    }),
  );
}
