import { formatBytes } from '../common/registry/copy-graph';
import { TaskContext, TaskOutcome } from '../common/runner';
import { createClients } from './clients';
import { AcrPromoteOptions } from './options';
import { isGateOn } from './verify/policy';
import { GateRefusal, VerificationFacts, describeFacts, verifySource } from './verify/gate';
import { PromoteDeps, PromoteRequest, PromoteResult, promoteByCopy } from './promote';

type Promoter = (
  ctx: TaskContext,
  o: AcrPromoteOptions,
  req: PromoteRequest,
  deps: PromoteDeps,
) => Promise<PromoteResult>;

/** One promoter per mode; import mode's Azure SDKs load only when it is chosen. */
const PROMOTERS: Record<AcrPromoteOptions['mode'], Promoter> = {
  copy: (_ctx, _o, req, deps) => promoteByCopy(req, deps),
  import: async (ctx, o, req, deps) => (await import('./lazy-azure')).promoteByImport(ctx, o, req, deps),
};

/** Bundled apart from index.js (scripts/build.ts): loaded only once the inputs are valid. */
export async function executeAcrPromote(ctx: TaskContext, o: AcrPromoteOptions): Promise<TaskOutcome> {
  const started = Date.now();
  let verification: VerificationFacts | undefined;
  const clients = createClients(ctx, o);
  const req: PromoteRequest = {
    source: { client: clients.source, repository: o.source.repository, tag: o.source.tag, digest: o.source.digest },
    target: { client: clients.target, repository: o.targetRepository },
    tags: [...o.targetTags],
    tagDigestMismatch: o.tagDigestMismatch,
    tagsFromSource: o.tagsFromSource,
    platforms: o.platforms,
    includeReferrers: o.includeReferrers,
    allowTagOverwrite: o.allowTagOverwrite,
    lockTarget: o.lockTarget,
  };
  const deps: PromoteDeps = {
    signal: ctx.signal,
    deadline: ctx.deadline,
    info: (m) => ctx.host.info(m),
    warn: (m) => ctx.host.warn(m),
    debug: (m) => ctx.host.debug(m),
    gate: isGateOn(o.verify)
      ? async (root) => {
          try {
            verification = await verifySource(
              { client: clients.source, repository: o.source.repository },
              root,
              o.verify,
              (m) => ctx.host.info(m),
              {
                // Read with the AzureRM connection's identity; options.ts required it with a vault key.
                vaultKey: async (ref) => (await import('./lazy-key-vault')).readVaultVerifyKey(ctx, o.azure!, ref),
              },
            );
          } catch (err) {
            // A refused run's record says which policy failed and what was verified before it.
            if (err instanceof GateRefusal)
              ctx.record.details = {
                ...ctx.record.details,
                verified: describeFacts(err.facts),
                verification: err.facts,
              };
            throw err;
          }
        }
      : undefined,
  };
  const sourceText = `${o.source.registry}/${o.source.repository}${o.source.digest ? `@${o.source.digest}` : `:${o.source.tag}`}`;
  const target = `${o.targetRegistry}/${o.targetRepository}`;
  // Filled before any work, so a failed run's record still says what was attempted.
  ctx.record.target = target;
  ctx.record.artifact = {
    registry: o.targetRegistry,
    repository: o.targetRepository,
    digest: o.source.digest,
    tags: o.targetTags,
  };
  ctx.record.details = { mode: o.mode, source: sourceText, target, tags: o.targetTags };

  const result = await PROMOTERS[o.mode](ctx, o, req, deps);
  const durationMs = Date.now() - started;
  const digest = result.root.digest;
  const targetImage = `${target}@${digest}`;
  const copiedReferrers = result.referrers.filter((r) => !r.existed);
  const s = result.stats;
  ctx.record.artifact = {
    registry: o.targetRegistry,
    repository: o.targetRepository,
    digest,
    tags: [...result.tags.move, ...result.tags.unchanged],
  };
  const tagsApplied = req.tags;
  ctx.record.summary = `${o.source.repository}@${digest.slice(0, 19)}… → ${target}${tagsApplied.length ? `:${tagsApplied.join(',')}` : ''}`;
  ctx.record.details = {
    mode: o.mode,
    source: `${o.source.registry}/${o.source.repository}@${result.digestChanged?.from ?? digest}`,
    sourceTag: o.source.tag,
    target: targetImage,
    digest,
    mediaType: result.root.mediaType,
    platforms: s.platforms.join(', ') || undefined,
    tagsMoved: result.tags.move.join(', ') || 'none',
    tagsUnchanged: result.tags.unchanged.join(', ') || 'none',
    tagsOverwritten: result.tags.overwrite.map((t) => `${t.tag} (was ${t.from})`),
    referrersCopied: copiedReferrers.length,
    referrersPresent: result.referrers.length - copiedReferrers.length,
    referrers: result.referrers,
    bytesMoved: s.bytesMoved,
    blobsCopied: s.blobsCopied,
    blobsMounted: s.blobsMounted,
    blobsPresent: s.blobsPresent,
    manifestsPushed: s.manifestsPushed,
    locked: result.lock,
    sourceTagNotApplied: req.sourceTagDropped,
    sourceDigest: result.digestChanged?.from,
    digestChanged: result.digestChanged?.why,
    // Read by the hub for its "verified" mark: see verify/gate.ts VerificationFacts.
    verified: verification ? describeFacts(verification) : undefined,
    verification,
    durationMs,
  };
  const moved =
    s.blobsCopied || s.blobsMounted
      ? `${s.blobsCopied} blob(s) copied (${formatBytes(s.bytesMoved)}), ${s.blobsMounted} mounted`
      : 'no blob transferred (already present)';
  const warned = result.lock === 'unsupported' || result.skippedCosignTags.length > 0;
  return {
    status: warned ? 'succeededWithIssues' : 'succeeded',
    message: `Promoted ${sourceText} (${digest}) to ${target}${tagsApplied.length ? ` as ${tagsApplied.join(', ')}` : ''}: ${moved}, ${copiedReferrers.length} referrer(s) copied${result.digestChanged ? ` (digest changed: ${result.digestChanged.why})` : ''}, in ${(durationMs / 1000).toFixed(1)} s.`,
    outputs: {
      imageDigest: digest,
      targetImage,
      sourceDigest: result.digestChanged?.from ?? digest,
      digestChangeReason: result.digestChanged?.why ?? '',
    },
  };
}
