import { createAzureCredential } from '../common/connections/azure-rm';
import { TaskError, errorMessage } from '../common/errors';
import { TaskContext, TaskOutcome } from '../common/runner';
import { mapLimit } from '../common/map-limit';
import { RetryPolicy } from '../common/retry-policy';
import { executePlan } from './executor';
import { KEY_VAULT_RETRY, createKeyVaultSource } from './key-vault-source';
import { createOciVaultSink } from './oci-vault-sink';
import { KeyVaultToOciOptions } from './options';
import { desiredMeta } from './metadata';
import { planItem, selectSecrets, tally } from './planner';
import { coveredSources, planRemoved } from './removed';
import { describePartialFailure, describePlanTally, describeTally, renderPlan } from './report';
import { PlanItem, SecretSink, SecretSource, SyncResult, ValueBook } from './sync-model';

type Factory<T> = (ctx: TaskContext, o: KeyVaultToOciOptions, tuning: SyncTuning) => Promise<T>;

/** Knobs tests turn down (backoff) and benchmarks turn up (concurrency); users get the defaults. */
export interface SyncTuning {
  ociRetry: RetryPolicy;
  keyVaultRetry: typeof KEY_VAULT_RETRY;
  concurrency: number;
  pollMs: number;
  now: () => Date;
}

/** The SDK's own default attempts and ceiling, with our jittered backoff from 1 s. */
const OCI_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 30_000 };

export const DEFAULT_TUNING: SyncTuning = {
  ociRetry: OCI_RETRY,
  keyVaultRetry: KEY_VAULT_RETRY,
  concurrency: 4,
  pollMs: 2000,
  now: () => new Date(),
};

/** One factory per kind: a new source or sink is a new module and one line here. */
export const SOURCES: Record<'azureKeyVault', Factory<SecretSource>> = {
  azureKeyVault: async (ctx, o, t) =>
    createKeyVaultSource({
      vaultUrl: o.keyVaultUrl,
      credential: await createAzureCredential(o.azure!, ctx.host, ctx.network),
      signal: ctx.signal,
      retry: t.keyVaultRetry,
      network: ctx.network,
    }),
};

export const SINKS: Record<'ociVault', Factory<SecretSink>> = {
  ociVault: async (ctx, o, t) =>
    createOciVaultSink({
      connection: o.oci!,
      compartmentId: o.compartmentId,
      vaultId: o.vaultId,
      keyId: o.keyId,
      deadline: ctx.deadline,
      signal: ctx.signal,
      retry: t.ociRetry,
      pollMs: t.pollMs,
      network: ctx.network,
    }),
};

export async function syncSecrets(
  ctx: TaskContext,
  o: KeyVaultToOciOptions,
  t: SyncTuning = DEFAULT_TUNING,
): Promise<TaskOutcome> {
  const log = (line: string): void => ctx.host.info(ctx.secrets.redact(line));
  const vaultHost = new URL(o.keyVaultUrl).hostname;
  ctx.record.target = `${vaultHost} → ${o.vaultId}`;
  ctx.record.details = {
    keyVault: o.keyVaultName,
    vaultId: o.vaultId,
    compartmentId: o.compartmentId,
    dryRun: o.dryRun,
  };

  const source = await SOURCES.azureKeyVault(ctx, o, t);
  const listed = await source.list();
  // Which OCI secrets this task created from this vault: a named secret missing from Key Vault may be one
  // whose source was deleted (a revocation to propagate), not a typo. Reads only.
  const sink = await SINKS.ociVault(ctx, o, t);
  const removed = planRemoved(await sink.owned(o.keyVaultName), o.selection, listed, o.onSourceRemoved);
  const covered = coveredSources(removed);
  const selection = selectSecrets(o.selection, listed, t.now());
  selection.missing = selection.missing.filter((m) => !covered.has(m.toLowerCase()));
  selection.skipped = selection.skipped.filter((s) => !covered.has(s.source.toLowerCase()));
  if (selection.missing.length) {
    throw new TaskError(
      `${source.description} has no secret named ${selection.missing.map((m) => `'${m}'`).join(', ')}.`,
      "Fix the 'secrets' input or create the secrets; nothing was changed.",
    );
  }
  if (selection.collisions.length)
    throw new TaskError(
      `${selection.collisions.join('; ')}.`,
      "Map them to different names in the 'secrets' input; nothing was changed.",
    );

  // Every value, and each form derived from it, is announced to the agent before any request sends it.
  const values: ValueBook = new Map();
  const readFailures: SyncResult[] = [];
  const empty: PlanItem[] = [];
  await mapLimit(selection.selected, t.concurrency, async (s) => {
    try {
      const { value, version } = await source.read(s.source);
      if (value === '')
        return void empty.push({
          ...s,
          action: 'skipped',
          reason: 'the value is empty, and OCI Vault cannot store an empty secret',
        });
      ctx.secrets.register(value);
      const content = Buffer.from(value, 'utf8').toString('base64');
      ctx.secrets.register(content);
      values.set(s.source, { value, content, version });
    } catch (err) {
      readFailures.push({ ...s, action: 'blocked', outcome: 'failed', message: errorMessage(err) });
    }
  });

  const props = new Map(listed.map((s) => [s.name, s]));
  const planned = await mapLimit(
    selection.selected.filter((s) => values.has(s.source)),
    t.concurrency,
    async (s): Promise<PlanItem | SyncResult> => {
      try {
        const state = await sink.inspect(s.target);
        // What OCI holds now is a secret too (an older value): mask it before anything could print it.
        if (state.kind === 'present') ctx.secrets.register(Buffer.from(state.content, 'base64').toString('utf8'));
        const want = desiredMeta(
          o.copyMetadata ? props.get(s.source)! : { name: s.source, enabled: true },
          o.keyVaultName,
          t.now(),
        );
        return planItem(s, values.get(s.source)!.content, state, o.restorePendingDeletion, want);
      } catch (err) {
        return { ...s, action: 'blocked', outcome: 'failed', message: errorMessage(err) };
      }
    },
  );
  const inspectFailures = planned.filter((p): p is SyncResult => 'outcome' in p);
  const plan = [
    ...selection.skipped,
    ...empty,
    ...removed,
    ...planned.filter((p): p is PlanItem => !('outcome' in p)),
  ].sort((a, b) => a.source.localeCompare(b.source));
  const kept = removed.filter((r) => r.action === 'kept');
  if (kept.length) {
    ctx.host.warn(
      `${kept.length} OCI secret(s) created by this task have a deleted or disabled Key Vault source and stay active: ${kept.map((k) => `${k.target} (${k.reason?.split(';')[0]})`).join(', ')}. Set onSourceRemoved: disable or scheduleDeletion to revoke them.`,
    );
  }
  const failedEarly = [...readFailures, ...inspectFailures];

  log(`Plan for ${vaultHost} → OCI vault ${o.vaultId}${o.dryRun ? ' (dry run: nothing will be changed)' : ''}:`);
  for (const line of renderPlan(plan)) log(line);
  for (const f of failedEarly) log(`  failed       ${f.source}: ${f.message}`);
  if (!plan.length && !failedEarly.length) log(`  (no secret in ${vaultHost} matches the 'secrets' input)`);

  let results: SyncResult[];
  if (o.dryRun) {
    const DRY: Partial<Record<PlanItem['action'], SyncResult['outcome']>> = {
      skipped: 'skipped',
      blocked: 'failed',
      kept: 'kept',
    };
    const dry = (a: PlanItem['action']): SyncResult['outcome'] => DRY[a] ?? 'planned';
    results = plan.map((i) => ({
      source: i.source,
      target: i.target,
      action: i.action,
      outcome: dry(i.action),
      secretId: i.secretId,
      version: i.version,
      message: i.reason,
      metaChanges: i.metaChanges,
    }));
  } else {
    const origin = (name: string): string => `Azure Key Vault ${o.keyVaultName}/${name}`;
    results = await executePlan(plan, {
      sink,
      values,
      origin,
      registerSecret: (v) => ctx.secrets.register(v),
      signal: ctx.signal,
      concurrency: t.concurrency,
      log,
      now: t.now,
    });
  }
  results = [...results, ...failedEarly].sort((a, b) => a.source.localeCompare(b.source));

  if (o.exportVariables) exportVariables(ctx, values, log);

  const t2 = tally(results);
  const counts = o.dryRun ? describePlanTally(plan) : describeTally(t2);
  ctx.record.summary = `${o.keyVaultName} → OCI Vault${o.dryRun ? ' (dry run)' : ''}: ${counts}${o.dryRun && failedEarly.length ? `, ${failedEarly.length} failed` : ''}`;
  const { planned: plannedCount, ...done } = t2;
  ctx.record.details = {
    ...ctx.record.details,
    ...(o.dryRun ? { planned: plannedCount } : done),
    // One line per run for the summary table; `secrets` carries the same facts for the hub.
    // The rotation figure: which OCI version is current for which Key Vault version.
    changes: results
      .map(
        (r) =>
          `${r.target}: ${r.outcome}${r.version !== undefined ? ` v${r.version}` : ''}${r.sourceVersion ? ` (Key Vault ${r.sourceVersion.slice(0, 8)})` : ''}`,
      )
      .join(', '),
    secrets: results,
  };
  const outputs = {
    created: String(t2.created),
    updated: String(t2.updated),
    unchanged: String(t2.unchanged),
    revoked: String(t2.disabled + t2.deletionScheduled),
  };

  if (t2.failed && !o.dryRun) throw new TaskError(describePartialFailure(results));
  if (o.dryRun) {
    const issues = results.filter((r) => r.outcome === 'failed');
    const message = `Dry run: ${counts}.${issues.length ? ` ${issues.length} secret(s) would not sync: ${issues.map((r) => `${r.source} (${r.message})`).join('; ')}` : ''}`;
    return { status: issues.length ? 'succeededWithIssues' : 'succeeded', message, outputs };
  }
  if (!results.length)
    return {
      status: 'succeededWithIssues',
      message: `No secret in ${vaultHost} matches the 'secrets' input; nothing was synced.`,
      outputs,
    };
  return { message: `Synced ${vaultHost} to OCI Vault: ${counts}.`, outputs };
}

/**
 * Secret pipeline variables named after the Key Vault secrets. The agent cannot mask a multi-line secret
 * variable (task-lib refuses one unless System.UnsafeAllowMultilineSecret is true): such values are exported
 * base64-encoded as '<name>-base64', which is single-line and masked.
 */
const TASK_OUTPUTS = ['created', 'updated', 'unchanged', 'revoked'];

function exportVariables(ctx: TaskContext, values: ValueBook, log: (line: string) => void): void {
  const multiLineAllowed = (ctx.host.variable('System.UnsafeAllowMultilineSecret') ?? '').toLowerCase() === 'true';
  const exported: string[] = [];
  for (const [name, v] of values) {
    if (TASK_OUTPUTS.includes(name.toLowerCase())) {
      ctx.host.warn(`'${name}' is not exported: it would collide with the task's output variable of the same name.`);
      continue;
    }
    const multiLine = /[\r\n]/.test(v.value);
    const [variable, value] = multiLine && !multiLineAllowed ? [`${name}-base64`, v.content] : [name, v.value];
    try {
      ctx.host.setVariable(variable, value, true);
      exported.push(variable);
      if (multiLine && !multiLineAllowed)
        ctx.host.warn(
          `'${name}' is multi-line: exported as '${variable}' (base64), because the agent cannot mask multi-line secret variables.`,
        );
    } catch (err) {
      ctx.host.warn(`Could not export '${variable}': ${ctx.secrets.redact(errorMessage(err))}`);
    }
  }
  log(`Exported ${exported.length} secret variable(s): ${exported.join(', ')}.`);
}
