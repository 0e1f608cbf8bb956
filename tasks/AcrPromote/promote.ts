import { TaskError } from '../common/errors';
import { FetchedManifest, RegistryClient } from '../common/registry/client';
import { CopyStats, Endpoint, copyGraph, emptyStats } from '../common/registry/copy-graph';
import { Descriptor } from '../common/registry/media-types';
import {
  ReferrerCopied,
  SubjectScan,
  copyReferrers,
  foundReferrers,
  scanReferrers,
} from '../common/registry/referrers';
import { TagPlan, describeConflicts, planTags } from './tag-plan';
import { selectPlatforms } from './platforms';

export interface PromoteRequest {
  source: { client: RegistryClient; repository: string; tag?: string; digest?: string };
  /** Both a tag and a digest were given and disagree: fail, or promote the digest without the source tag. */
  tagDigestMismatch?: 'fail' | 'useDigest';
  /** The target tags default to the source tag (no targetTags input): dropped with it under useDigest. */
  tagsFromSource?: boolean;
  target: { client: RegistryClient; repository: string };
  tags: string[];
  includeReferrers: boolean;
  allowTagOverwrite: boolean;
  lockTarget: boolean;
  /** Set by resolveSource when useDigest dropped the disagreeing source tag: why. */
  sourceTagDropped?: string;
  /** Only these platforms of a multi-arch index (os/arch[/variant]); empty: all. */
  platforms?: string[];
  /** Blobs in flight at once. */
  concurrency?: number;
}

export interface PromoteDeps {
  signal: AbortSignal;
  deadline: number;
  info(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
  now?: () => number;
  /** The supply-chain gate: runs on the resolved digest before the first byte is copied; throws to refuse. */
  gate?: (root: Descriptor) => Promise<void>;
}

export interface PromoteResult {
  root: Descriptor;
  stats: CopyStats;
  tags: TagPlan;
  referrers: ReferrerCopied[];
  skippedCosignTags: { tag: string; target: string; source: string }[];
  lock: 'locked' | 'unsupported' | 'not requested';
  /** Set when `platforms` made a new index: the source digest, and why the promoted one differs. */
  digestChanged?: { from: string; to: string; why: string };
}

// As skopeo (containers/image copy: six layers in parallel): a typical image's layers and config in one wave.
const DEFAULT_CONCURRENCY = 6;

/** The tag is resolved once; everything after uses the digest, so a tag moved meanwhile changes nothing. */
export function resolveSource(req: PromoteRequest): Promise<Descriptor> {
  return lookUpSource(req, (c, repository, reference) => c.resolve(repository, reference));
}

/**
 * Copy mode: the source manifest, read (GET) once by the given reference: its digest, and the bytes the
 * copy then needs, in one round trip where HEAD then GET by digest take two.
 */
export function readSource(req: PromoteRequest): Promise<FetchedManifest> {
  return lookUpSource(req, (c, repository, reference) => c.fetchManifest(repository, reference));
}

async function lookUpSource<T>(
  req: PromoteRequest,
  read: (client: RegistryClient, repository: string, reference: string) => Promise<T | undefined>,
): Promise<T> {
  const { client, repository, tag, digest } = req.source;
  const reference = digest ?? tag;
  if (!reference) throw new TaskError('The source image has neither a tag nor a digest.');
  // With both, the tag is read too (in parallel): `repo:1.4.2@sha256:…` must not tag 1.4.2 onto another image.
  const [found, tagged] = await Promise.all([
    read(client, repository, reference),
    digest && tag ? client.resolve(repository, tag) : undefined,
  ]);
  if (!found) {
    throw new TaskError(
      `Source image ${client.host}/${repository}${digest ? `@${digest}` : `:${tag}`} does not exist.`,
      `Check 'sourceImage' and that ${client.label} may read it.`,
    );
  }
  if (digest && tag && tagged?.digest !== digest) {
    const what = tagged ? `points to ${tagged.digest}` : 'does not exist';
    if (req.tagDigestMismatch !== 'useDigest') {
      throw new TaskError(
        `Input 'sourceImage': the source tag '${tag}' ${what} in ${client.host}/${repository}, not the given ${digest}. Nothing was copied.`,
        `Fix the tag or the digest in 'sourceImage', or set 'tagDigestMismatch: useDigest' to promote the digest without applying '${tag}'.`,
      );
    }
    if (req.tagsFromSource) req.tags = req.tags.filter((t) => t !== tag);
    req.sourceTagDropped = `the source tag '${tag}' ${what}; the digest wins and '${tag}' is not applied`;
  }
  return found;
}

/** What every target tag points at now (undefined: absent). */
export async function readTargetTags(req: PromoteRequest): Promise<Record<string, string | undefined>> {
  const { client, repository } = req.target;
  const current: Record<string, string | undefined> = {};
  await Promise.all(req.tags.map(async (t) => (current[t] = (await client.resolve(repository, t))?.digest)));
  return current;
}

/** Decides the tags before anything is copied; refuses to move one that points elsewhere. */
export function checkTargetTags(
  req: PromoteRequest,
  current: Record<string, string | undefined>,
  digest: string,
): TagPlan {
  const { client, repository } = req.target;
  const plan = planTags(req.tags, current, digest, req.allowTagOverwrite);
  if (plan.conflicts.length) {
    throw new TaskError(
      describeConflicts(`${client.host}/${repository}`, digest, plan.conflicts),
      "Promote a new tag, or set 'allowTagOverwrite: true' to move it.",
    );
  }
  return plan;
}

/**
 * Copy mode: blobs → manifests by digest → referrers → tags, last. A failure anywhere before
 * the last step leaves every target tag where it was; a re-run skips whatever is present.
 */
export async function promoteByCopy(req: PromoteRequest, deps: PromoteDeps): Promise<PromoteResult> {
  // Source and target are read at once: both connections are checked before anything moves.
  const [source, current] = await Promise.all([readSource(req), readTargetTags(req)]);
  const root = source.descriptor;
  deps.info(
    `Source ${req.source.client.host}/${req.source.repository}${req.source.tag && !req.source.digest ? `:${req.source.tag}` : ''} is ${root.digest} (${root.mediaType}).`,
  );
  if (req.sourceTagDropped) deps.warn(`Input 'sourceImage': ${req.sourceTagDropped}.`);
  // Fail closed: nothing is copied unless the gate passes (on the source digest, as signed).
  await deps.gate?.(root);
  const subset = req.platforms?.length
    ? await selectPlatforms({ client: req.source.client, repository: req.source.repository }, root, req.platforms)
    : undefined;
  const tags = checkTargetTags(req, current, subset?.descriptor.digest ?? root.digest);
  const stats = emptyStats();
  const src: Endpoint = { client: req.source.client, repository: req.source.repository };
  const dst: Endpoint = { client: req.target.client, repository: req.target.repository };
  const graphOpts = {
    signal: deps.signal,
    deadline: deps.deadline,
    now: deps.now,
    concurrency: req.concurrency ?? DEFAULT_CONCURRENCY,
    stats,
    log: (m: string) => deps.info(m),
    inflight: new Map(),
  };
  if (subset) {
    // The new index's children first, then the index itself, by digest; tags are planned against it.
    for (const child of subset.kept) await copyGraph(src, dst, child, graphOpts);
    const present = await dst.client.resolve(dst.repository, subset.descriptor.digest);
    if (!present) {
      await dst.client.putManifest(dst.repository, subset.descriptor.digest, subset.bytes, subset.descriptor.mediaType);
      stats.manifestsPushed++;
    }
    stats.platforms.push(...subset.keptNames);
    const why = `platforms ${subset.keptNames.join(', ')} of ${root.digest} (without ${subset.droppedNames.join(', ')}) make a new index`;
    deps.info(`Promoting ${subset.descriptor.digest}: ${why}.`);
    const result = await finishPromotion(req, deps, subset.descriptor, tags, stats, graphOpts, {
      bytes: subset.bytes,
      referrersOf: subset.kept,
    });
    return { ...result, digestChanged: { from: root.digest, to: subset.descriptor.digest, why } };
  }
  let scanning: Promise<SubjectScan[]> | undefined;
  const scan = (): Promise<SubjectScan[]> | undefined =>
    (scanning ??= req.includeReferrers ? scanReferrers(src, root, source.bytes) : undefined);
  let taggedWithRoot: string | undefined;
  const copying = copyGraph(src, dst, root, graphOpts, {
    manifest: source,
    // A target tag already pointing at the root means the target holds the whole image.
    inTarget: tags.unchanged.length > 0,
    // With no referrer to land between the image and its tags, the root goes in under its first tag: that
    // PUT is then the promotion's last step anyway (the tags-last rule holds), and one round trip is saved.
    pushAs: async () => {
      const scanned = scan();
      if (!tags.move.length || (scanned && foundReferrers(await scanned))) return undefined;
      return (taggedWithRoot = tags.move[0]);
    },
  });
  // The source's referrers and cosign tags are read while the blobs move, not after them; asked just after
  // the copy's target HEADs, so that those (on the way to the first byte) are written to their sockets first.
  scan()?.catch(() => undefined);
  const pushed = await copying;
  if (!pushed.length)
    deps.info(`${dst.client.host}/${dst.repository}@${root.digest} is already in the target: nothing to copy.`);
  // The root's bytes, as read from the source, serve the tags: no second GET of the same manifest.
  return finishPromotion(req, deps, root, tags, stats, graphOpts, undefined, source.bytes, {
    scans: await scan(),
    taggedWithRoot,
  });
}

/** Shared by both modes once the image itself is in the target: referrers, tags, lock. */
export async function finishPromotion(
  req: PromoteRequest,
  deps: PromoteDeps,
  root: Descriptor,
  tags: TagPlan,
  stats: CopyStats,
  graphOpts: Parameters<typeof copyGraph>[3],
  /** A root made here (platforms): its bytes, and the subjects whose referrers apply to it. */
  made?: { bytes: Buffer; referrersOf: Descriptor[] },
  /** The root manifest's bytes when already read (copied in this run). */
  rootBytes?: Buffer,
  /** From promoteByCopy: the source's referrers as read during the copy, and a tag already set by the root's PUT. */
  early: { scans?: SubjectScan[]; taggedWithRoot?: string } = {},
): Promise<PromoteResult> {
  const src: Endpoint = { client: req.source.client, repository: req.source.repository };
  const dst: Endpoint = { client: req.target.client, repository: req.target.repository };
  let referrers: ReferrerCopied[] = [];
  let skippedCosignTags: PromoteResult['skippedCosignTags'] = [];
  const cosignTags: { tag: string; manifest: { mediaType: string; bytes: Buffer } }[] = [];
  if (req.includeReferrers) {
    // A made index has no referrers of its own: those of the platforms it keeps come along.
    const results = made
      ? await Promise.all(made.referrersOf.map((d) => copyReferrers(src, dst, d, graphOpts)))
      : [await copyReferrers(src, dst, root, graphOpts, early.scans)];
    const r = {
      copied: results.flatMap((x) => x.copied),
      skippedCosignTags: results.flatMap((x) => x.skippedCosignTags),
      cosignTags: results.flatMap((x) => x.cosignTags),
    };
    referrers = r.copied;
    skippedCosignTags = r.skippedCosignTags;
    cosignTags.push(...r.cosignTags);
    for (const s of r.skippedCosignTags)
      deps.warn(
        `Left target tag '${s.tag}' at ${s.target}: it differs from the source's ${s.source} (cosign signatures made in the target are kept).`,
      );
  }

  // Tags last: until here the target shows nothing new under any tag.
  for (const c of cosignTags)
    await dst.client.putManifest(dst.repository, c.tag, c.manifest.bytes, c.manifest.mediaType);
  if (tags.move.length) {
    const known = made?.bytes ?? rootBytes;
    const manifest = known
      ? { bytes: known, descriptor: root }
      : await src.client.getManifest(src.repository, root.digest);
    for (const tag of tags.move) {
      if (tag !== early.taggedWithRoot)
        await dst.client.putManifest(dst.repository, tag, manifest.bytes, manifest.descriptor.mediaType);
      const from = tags.overwrite.find((o) => o.tag === tag);
      deps.info(
        `Tagged ${dst.client.host}/${dst.repository}:${tag} → ${root.digest}${from ? ` (was ${from.from})` : ''}`,
      );
    }
  }

  for (const tag of tags.unchanged)
    deps.info(`Tag ${dst.client.host}/${dst.repository}:${tag} already points to ${root.digest}.`);

  let lock: PromoteResult['lock'] = 'not requested';
  if (req.lockTarget) {
    lock = await dst.client.lockManifest(dst.repository, root.digest);
    if (lock === 'unsupported')
      deps.warn(
        `${dst.client.host} has no ACR lock API (/acr/v1/…/_manifests): ${root.digest} was promoted but not locked.`,
      );
    else deps.info(`Locked ${dst.client.host}/${dst.repository}@${root.digest} (writeEnabled=false).`);
  }
  return { root, stats, tags, referrers, skippedCosignTags, lock };
}
