import { TaskError } from '../errors';
import { mapLimit } from '../map-limit';
import { BlobTransferDeps, transferBlob } from './blob-transfer';
import { FetchedManifest, RegistryClient } from './client';
import { Descriptor, ParsedManifest, parseManifest } from './media-types';

export interface Endpoint {
  client: RegistryClient;
  repository: string;
}

export interface CopyStats {
  manifestsPushed: number;
  manifestsPresent: number;
  blobsCopied: number;
  blobsMounted: number;
  blobsPresent: number;
  bytesMoved: number;
  platforms: string[];
}

export function emptyStats(): CopyStats {
  return {
    manifestsPushed: 0,
    manifestsPresent: 0,
    blobsCopied: 0,
    blobsMounted: 0,
    blobsPresent: 0,
    bytesMoved: 0,
    platforms: [],
  };
}

export interface PendingManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface GraphCopyOptions extends Omit<BlobTransferDeps, 'onBytes' | 'present'> {
  concurrency: number;
  stats: CopyStats;
  progressIntervalMs?: number;
  /**
   * Blob transfers under way in this promotion, by target repository and digest. Graphs copied at once
   * share blobs (cosign's .sig and .att manifests have the same config blob), and two uploads of one blob
   * into one repository at once make docker-registry answer the second manifest PUT with DIGEST_INVALID /
   * MANIFEST_BLOB_UNKNOWN: the second copy waits for the first instead.
   */
  inflight?: Map<string, Promise<BlobOutcome>>;
}

type BlobOutcome = Awaited<ReturnType<typeof transferBlob>>;

/** What the caller knows about the root of a copy (promote.ts): each saves a round trip before the first byte. */
export interface RootHints {
  /** The root manifest, just read from the source (by tag): not read a second time. */
  manifest?: FetchedManifest;
  /** A target tag already points at the root, so the target holds the whole graph: nothing is asked or copied. */
  inTarget?: boolean;
  /**
   * Asked just before the root manifest is pushed: a tag to push it under instead of its digest, when nothing
   * else has to land in the target between the root and its tags (no referrer to copy), so that PUT is the last
   * step that makes the image visible. Undefined: by digest, as every other manifest.
   */
  pushAs?: () => Promise<string | undefined>;
}

/** Target HEADs of blobs started early (planGraph), by digest; transferBlob takes the answer instead of asking. */
type BlobChecks = Map<string, Promise<boolean>>;

/**
 * Walks the manifest graph under `root` in the source, skipping every sub-tree whose manifest
 * the target already has by digest (a registry accepts a manifest only once everything it
 * references is present, so a present manifest means a complete sub-tree). Returns the
 * missing manifests children-first, and the blobs they need.
 */
export async function planGraph(
  src: Endpoint,
  dst: Endpoint,
  root: Descriptor,
  stats: CopyStats,
  hints: RootHints = {},
  checks: BlobChecks = new Map(),
): Promise<{ manifests: PendingManifest[]; blobs: Descriptor[] }> {
  const manifests: PendingManifest[] = [];
  const blobs = new Map<string, Descriptor>();
  const seen = new Set<string>();
  const visit = async (descriptor: Descriptor, depth: number, known?: FetchedManifest): Promise<void> => {
    if (seen.has(descriptor.digest)) return;
    seen.add(descriptor.digest);
    if (depth > 4)
      throw new TaskError(
        `${src.client.host}/${src.repository}@${root.digest} nests indexes more than 4 deep; refusing to follow it.`,
      );
    // Both at once: the source manifest is needed unless the target has it, and a wasted GET costs less than a round trip.
    const reading = known ? Promise.resolve(known) : src.client.getManifest(src.repository, descriptor.digest);
    reading.catch(() => undefined);
    const where = `${src.client.host}/${src.repository}@${descriptor.digest}`;
    const inTarget = dst.client.resolve(dst.repository, descriptor.digest);
    let parsed: ParsedManifest | undefined;
    if (known) {
      // Already read: its blobs' HEADs go out with the manifest's own instead of after it (a first copy's
      // last round trip before the first byte; on a re-promotion they are not sent, see RootHints.inTarget).
      inTarget.catch(() => undefined);
      // A manifest we cannot parse is refused below, and only if the target lacks it (as when it was fetched).
      try {
        parsed = parseManifest(known.bytes, known.descriptor.mediaType, where);
      } catch {
        parsed = undefined;
      }
      for (const blob of parsed?.blobs ?? []) {
        if (checks.has(blob.digest)) continue;
        const check = dst.client.hasBlob(dst.repository, blob.digest);
        check.catch(() => undefined);
        checks.set(blob.digest, check);
      }
    }
    if (await inTarget) {
      stats.manifestsPresent++;
      return;
    }
    const fetched = await reading;
    parsed ??= parseManifest(fetched.bytes, fetched.descriptor.mediaType, where);
    // Children first, in parallel: an index of ten platforms is ten independent sub-trees.
    await Promise.all(parsed.manifests.map((child) => visit(child, depth + 1)));
    for (const child of parsed.manifests) {
      const p = child.platform;
      if (p?.os && p.architecture && p.os !== 'unknown')
        stats.platforms.push(`${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
    }
    for (const blob of parsed.blobs) blobs.set(blob.digest, blob);
    manifests.push({ descriptor: fetched.descriptor, bytes: fetched.bytes, parsed });
  };
  if (hints.inTarget) {
    stats.manifestsPresent++;
    return { manifests, blobs: [] };
  }
  const known = hints.manifest?.descriptor.digest === root.digest ? hints.manifest : undefined;
  await visit(root, 0, known);
  return { manifests, blobs: [...blobs.values()] };
}

/** Blobs first (in parallel, bounded), then manifests children-first, all by digest: no tag is touched here. */
export async function copyGraph(
  src: Endpoint,
  dst: Endpoint,
  root: Descriptor,
  opts: GraphCopyOptions,
  hints: RootHints = {},
): Promise<PendingManifest[]> {
  const { stats } = opts;
  const checks: BlobChecks = new Map();
  const plan = await planGraph(src, dst, root, stats, hints, checks);
  // Largest first: the long transfers start early and small ones fill the gaps.
  const ordered = [...plan.blobs].sort((a, b) => b.size - a.size);
  const total = ordered.reduce((n, b) => n + b.size, 0);
  const startBytes = stats.bytesMoved;
  const started = Date.now();
  // Long copies say how far they are, so a slow link does not look like a hang.
  const progress = setInterval(() => {
    const moved = stats.bytesMoved - startBytes;
    const rate = moved / Math.max(1, (Date.now() - started) / 1000);
    opts.log?.(`progress: ${formatBytes(moved)} of at most ${formatBytes(total)} (${formatBytes(rate)}/s)`);
  }, opts.progressIntervalMs ?? 15_000);
  progress.unref();
  try {
    await copyBlobs(src, dst, ordered, opts, checks);
  } finally {
    clearInterval(progress);
  }
  for (const m of plan.manifests) {
    const isRoot = m.descriptor.digest === root.digest;
    const reference = (isRoot ? await hints.pushAs?.() : undefined) ?? m.descriptor.digest;
    await dst.client.putManifest(dst.repository, reference, m.bytes, m.descriptor.mediaType);
    stats.manifestsPushed++;
  }
  return plan.manifests;
}

async function copyBlobs(
  src: Endpoint,
  dst: Endpoint,
  ordered: Descriptor[],
  opts: GraphCopyOptions,
  checks: BlobChecks,
): Promise<void> {
  const { stats } = opts;
  await mapLimit(ordered, opts.concurrency, async (blob) => {
    const key = `${dst.client.host}/${dst.repository}@${blob.digest}`;
    const running = opts.inflight?.get(key);
    if (running) {
      await running;
      stats.blobsPresent++;
      return;
    }
    const transfer = transferBlob(src.client, src.repository, dst.client, dst.repository, blob, {
      ...opts,
      present: checks.get(blob.digest),
      onBytes: (n) => (stats.bytesMoved += n),
    });
    opts.inflight?.set(key, transfer);
    let outcome: BlobOutcome;
    try {
      outcome = await transfer;
    } finally {
      opts.inflight?.delete(key);
    }
    if (outcome === 'present') stats.blobsPresent++;
    else if (outcome === 'mounted') stats.blobsMounted++;
    else {
      stats.blobsCopied++;
      opts.log?.(`copied blob ${blob.digest} (${formatBytes(blob.size)})`);
    }
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
