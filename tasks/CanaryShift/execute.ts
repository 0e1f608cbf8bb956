import { createKubeConfig } from '../common/connections/kube-config';
import { TaskError, TimeoutError } from '../common/errors';
import { parseKubeImage } from './plan/kube-image';
import { TaskContext, TaskOutcome } from '../common/runner';
import { sleep } from '../common/sleep';
import { outcomeLabel, runChecks } from '../common/checks';
import { AnalysisProbes, AnalysisResult, analyseMetrics, measureMetric } from './analysis/analysis';
import { ProviderKind } from './analysis/metrics';
import { MetricProvider } from './analysis/providers/provider';
import { createProviders } from './analysis/providers';
import { untrustedText } from './analysis/untrusted';
import { createKubeClient } from '../common/kube/client';
import { KubeError, describeKubeError as describeWith } from '../common/kube/errors';
import { CANARY_KUBE_FIXES, KINDS, KubeApi } from './kube/kinds';
import { CanaryShiftOptions } from './options';
import { AnalysisSelection } from './options-release';
import { abortReserveMs, stepTimeoutMinutes } from './plan/budget';
import { CANARY_IMAGE, imageText, runAnnotations } from './plan/canary-spec';
import { CanaryRollout, RolloutDeps } from './rollout';
import { BlueGreenRollout } from './blue-green';
import { ROUTERS } from './routers';

export interface ExecuteDeps {
  /** Tests pass an API bound to an emulator; the task builds one from the service connection. */
  api?: KubeApi;
  pollMs?: number;
  /** Tests pass the Entra authority/OCI endpoints of emulators through the connections instead. */
  providers?: Partial<Record<ProviderKind, MetricProvider>>;
}

function smokeProbe(ctx: TaskContext, o: CanaryShiftOptions, signal: AbortSignal): AnalysisProbes['smoke'] {
  const a = o.analysis;
  const redact = (t: string): string => ctx.secrets.redact(t);
  return a.smokeChecks && a.smokeBaseUrl
    ? async () => {
        const report = await runChecks(
          a.smokeChecks!,
          {
            baseUrl: a.smokeBaseUrl!,
            concurrency: 4,
            timeoutMs: 10_000,
            retries: 0,
            retryIntervalMs: 1000,
            waitForReadyMs: 0,
            signal,
          },
          { redact, log: (l) => ctx.host.debug(redact(l)) },
        );
        const failures = report.results
          .filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped')
          .map((r) => `${redact(r.name)}: ${outcomeLabel(r)}`);
        return { passed: report.passed, failed: report.failed, failures };
      }
    : undefined;
}

/** One analysis step: the named metrics (all when none are named) and the smoke checks, side by side. */
function analysisFor(
  ctx: TaskContext,
  o: CanaryShiftOptions,
  providers: Record<ProviderKind, MetricProvider>,
  signal: AbortSignal,
  log: (m: string) => void,
): (names?: string[]) => Promise<AnalysisResult> {
  const clock = { sleep: (ms: number) => sleep(ms, signal), now: () => new Date(), log };
  const smoke = smokeProbe(ctx, o, signal);
  const a = o.analysis;
  return (names) => {
    const runs = a.metrics
      .filter((m) => !names || names.includes(m.name))
      .map((m) => () => measureMetric(m.name, m.provider, m, (at) => providers[m.provider].measure(m, at), clock));
    if (smoke) {
      const plan = {
        measurements: a.measurements,
        intervalMs: a.intervalMs,
        failureLimit: a.failureLimit,
        condition: { op: '!=' as const, threshold: Number.NaN },
      };
      runs.push(async () => {
        const r = await measureMetric(
          'smoke',
          'smoke',
          plan,
          async () => ({ kind: 'value', value: Number.NaN }),
          clock,
          smoke,
        );
        delete r.value;
        for (const m of r.measurements) delete m.value;
        return r;
      });
    }
    return analyseMetrics(runs);
  };
}

/** Every metric is queried once before anything changes: a broken query fails here, not after a pause with traffic. */
async function dryRunMetrics(
  o: CanaryShiftOptions,
  providers: Record<ProviderKind, MetricProvider>,
  log: (m: string) => void,
): Promise<void> {
  const results = await Promise.all(
    o.analysis.metrics.map(async (m) => ({ m, r: await providers[m.provider].dryRun(m) })),
  );
  const failed = results.filter(({ r }) => !r.ok);
  for (const { m } of results.filter(({ r }) => r.ok)) log(`Metric ${m.name} (${m.provider}): the query runs.`);
  if (failed.length) {
    const why = failed
      .map(({ m, r }) => `metric ${m.name} (${m.provider}): ${untrustedText((r as { error: string }).error)}`)
      .join('; ');
    throw new TaskError(
      `The metrics were tried before any traffic moved, and ${failed.length} failed: ${why}. Nothing was changed.`,
      'Fix the query in the metrics input (or the query input), or the access of the connection to the metrics service.',
    );
  }
}

export async function executeCanaryShift(
  ctx: TaskContext,
  o: CanaryShiftOptions,
  deps: ExecuteDeps = {},
): Promise<TaskOutcome> {
  const log = (m: string): void => ctx.host.info(ctx.secrets.redact(m));
  let api = deps.api;
  if (!api) {
    if (!o.connection)
      throw new TaskError('No Kubernetes service connection was given.', 'Set the kubernetesServiceConnection input.');
    const kc = await createKubeConfig(o.connection, ctx.secrets, ctx.network);
    api = createKubeClient(kc, {
      namespace: o.namespace,
      types: KINDS,
      signal: ctx.signal,
      deadline: ctx.deadline,
      log: (m) => ctx.host.debug(m),
    });
  }
  // Waits and analyses stop early enough to leave time for an abort before the runner's hard deadline.
  const timeoutMs = o.rolloutTimeoutSeconds * 1000;
  const work = new AbortController();
  const timer = setTimeout(
    () => work.abort(new TimeoutError(`The canary ${o.action}`, timeoutMs, 'rolloutTimeoutSeconds')),
    Math.max(0, ctx.deadline - abortReserveMs(timeoutMs) - Date.now()),
  );
  const onCancel = (): void => work.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCancel, { once: true });

  const annotations = runAnnotations(ctx.run);
  const rolloutRef: { current?: CanaryRollout | BlueGreenRollout } = {};
  const router = ROUTERS[o.router]({
    api,
    service: o.service,
    route: o.route,
    deployment: o.deployment,
    annotations,
    log,
    signal: ctx.signal,
    waitCanaryAvailable: async () => void (await rolloutRef.current!.waitCanary()),
  });
  const providers = createProviders(ctx, o, deps);
  const rolloutDeps: RolloutDeps = {
    api,
    options: o,
    router,
    annotations,
    log,
    signal: work.signal,
    cleanupSignal: ctx.signal,
    pollMs: deps.pollMs,
    sleep: (ms) => sleep(ms, work.signal),
    analyse: analysisFor(ctx, o, providers, work.signal, log),
  };
  const bg = o.release.blueGreen;
  const rollout = bg ? new BlueGreenRollout(rolloutDeps) : new CanaryRollout(rolloutDeps);
  rolloutRef.current = rollout;

  const server = api.server ? new URL(api.server).host : 'cluster';
  ctx.record.target = `${server}/namespaces/${o.namespace}/deployments/${o.deployment}`;
  const details = ctx.record.details;
  const a = o.analysis;
  Object.assign(details, {
    action: o.action,
    router: o.router,
    namespace: o.namespace,
    deployment: o.deployment,
    canary: rollout.canary,
    service: o.service,
    route: o.route,
    analysis: {
      query: a.query,
      successCondition: `result ${a.condition.op} ${a.condition.threshold}`,
      failureLimit: a.failureLimit,
      intervalMs: a.intervalMs,
      measurements: a.measurements,
      smokeChecks: a.smokeChecks?.length ?? 0,
      metrics: a.metrics.map((m) => ({
        name: m.name,
        provider: m.provider,
        successCondition: `result ${m.condition.op} ${m.condition.threshold}`,
        failureLimit: m.failureLimit,
        intervalMs: m.intervalMs,
        measurements: m.measurements,
        noData: m.noData,
      })),
    },
    rolloutTimeoutSeconds: o.rolloutTimeoutSeconds,
    timeoutDerived: o.timeoutDerived,
    steps: rollout.steps,
    ...(bg
      ? {
          strategy: 'blueGreen',
          activeService: o.service,
          previewService: bg.previewService,
          prePromotionAnalysis: selectionText(bg.prePromotion),
          postPromotionAnalysis: selectionText(bg.postPromotion),
          scaleDownDelaySeconds: bg.scaleDownDelayMs / 1000,
          autoPromotionEnabled: bg.autoPromotion,
        }
      : { strategy: 'canary' }),
    ...(o.release.canaryPatch ? { canaryPatch: true } : {}),
    ...(o.release.canaryHeader ? { canaryHeader: o.release.canaryHeader.name } : {}),
  });

  // 'none': nothing changed (a failure before the first write, or promote with no canary to promote).
  let outcome: 'promoted' | 'aborted' | 'paused' | 'none' = 'none';
  let finished = false;
  const finish = (): Record<string, string> => {
    finished = true;
    details.outcome = outcome;
    details.canaryWeight = rollout.weight;
    // Blue/green: which version the active Service selected when the task ended.
    if (bg) details.activeOn = rollout.weight === 100 ? 'preview' : 'stable';
    const outputs = { canaryWeight: String(rollout.weight), outcome };
    for (const [k, v] of Object.entries(outputs)) ctx.host.setOutput(k, v);
    return outputs;
  };
  try {
    // The artifact is the canary's image: the input, or what the canary was deployed with.
    const deployed = parseKubeImage(
      (o.image ? '' : (await api.get('Deployment', rollout.canary))?.metadata.annotations?.[CANARY_IMAGE]) ?? '',
    );
    const ref = o.image ?? (deployed.ok ? deployed.value : undefined);
    if (ref) {
      ctx.record.artifact = {
        registry: ref.registry,
        repository: ref.repository,
        digest: ref.digest,
        tags: ref.tag ? [ref.tag] : undefined,
      };
      details.image = imageText(ref);
    }
    // Outputs report the weight in effect even when the action fails before changing it.
    rollout.weight = await rollout.currentWeight();
    if ((o.action === 'run' || o.action === 'deploy') && a.metrics.length) await dryRunMetrics(o, providers, log);
    if (o.action === 'run' && o.timeoutDerived) {
      log(
        `rolloutTimeoutSeconds is ${o.rolloutTimeoutSeconds} s, derived from the steps; the step's timeoutInMinutes must be at least ${stepTimeoutMinutes(o.rolloutTimeoutSeconds)}.`,
      );
    }
    switch (o.action) {
      case 'deploy':
        await guarded(() => rollout.deploy());
        outcome = 'paused';
        break;
      case 'shift':
        await rollout.shift(o.weight ?? 0);
        outcome = 'paused';
        break;
      case 'run':
        outcome = await guarded(() => rollout.run());
        break;
      case 'promote': {
        // Blue/green's promote switches and runs the post-promotion analysis: a failure there switches back.
        const promoted = bg ? await guarded(() => rollout.promote()) : await rollout.promote();
        if (promoted === 'nothing') {
          finish();
          ctx.record.summary = `${o.deployment}: nothing to promote`;
          throw new TaskError(
            `Nothing to promote: no canary ${rollout.canary} exists (it was aborted, or never deployed), and this pipeline run did not promote ${o.deployment} earlier. Traffic is 100% on the stable version, which was not changed.`,
            'Run deploy or run first; if the canary was aborted on purpose, skip the promote step.',
          );
        }
        outcome = 'promoted';
        break;
      }
      case 'abort':
        await rollout.abort('abort action');
        outcome = 'aborted';
        break;
    }
    const outputs = finish();
    ctx.record.summary = summaryOf(o, rollout, outcome);
    return { message: ctx.record.summary, outputs };
  } catch (err) {
    if (!finished) {
      // What is really in place: a canary left at some weight is 'paused'; no canary at all is 'none'.
      const canaryLeft = await api.get('Deployment', rollout.canary).then(
        (c) => !!c,
        () => rollout.weight > 0,
      );
      outcome = canaryLeft ? 'paused' : 'none';
      finish();
      ctx.record.summary = `${o.deployment}: canary ${o.action} failed at ${rollout.weight}%`;
    }
    if (err instanceof TaskError) throw err;
    throw err instanceof KubeError ? new TaskError(`Kubernetes API: ${describeKubeError(err)}`) : err;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onCancel);
  }

  /** Failures during deploy or the steps abort the canary (autoAbort); after the stable changed, abort would not help. */
  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const reason = work.signal.aborted && !ctx.signal.aborted ? work.signal.reason : err;
      const what = reason instanceof TaskError ? reason.message : describeKubeError(reason);
      if (!o.autoAbort || rollout.promoting) throw reason;
      log(`Aborting: ${what}`);
      try {
        await rollout.abort(what);
      } catch (abortErr) {
        finish();
        const why = abortErr instanceof TaskError ? abortErr.message : describeKubeError(abortErr);
        throw new TaskError(
          `${what.replace(/\.?$/, '.')} The automatic abort failed too: ${why}`,
          'Run the abort action (traffic 100% stable, canary removed) once the cluster is reachable.',
        );
      }
      outcome = 'aborted';
      finish();
      ctx.record.summary = `${o.deployment}: canary aborted, traffic 100% stable`;
      throw new TaskError(
        `${what.replace(/\.?$/, '.')} Aborted: ${bg ? `Service ${o.service} selects the old version and the preview was removed` : 'traffic is 100% stable and the canary was removed'}.`,
      );
    }
  }
}

function selectionText(s: AnalysisSelection): string | undefined {
  return s ? (s.metrics?.join(', ') ?? 'all') : undefined;
}

function summaryOf(o: CanaryShiftOptions, r: CanaryRollout | BlueGreenRollout, outcome: string): string {
  if (o.release.blueGreen) return `${o.deployment}: blue/green ${o.action}, ${outcome}`;
  const weights = r.steps.filter((s) => s.kind === 'weight').map((s) => `${s.weight}%`);
  if (o.action === 'run')
    return `${o.deployment}: canary ${weights.length ? `${weights.join(' → ')}, ` : ''}${outcome}`;
  if (o.action === 'shift' || o.action === 'deploy') return `${o.deployment}: canary at ${r.weight}% (${o.action})`;
  return `${o.deployment}: canary ${outcome}`;
}

const describeKubeError = (err: unknown): string => describeWith(err, CANARY_KUBE_FIXES);
