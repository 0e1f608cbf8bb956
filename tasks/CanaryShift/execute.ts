import { createKubeConfig } from '../common/connections/kube-config';
import { TaskError, TimeoutError } from '../common/errors';
import { parseImageRef } from '../common/image-ref';
import { TaskContext, TaskOutcome } from '../common/runner';
import { sleep } from '../common/sleep';
import { outcomeLabel, runChecks } from '../common/checks';
import { AnalysisProbes, AnalysisResult, analyse } from './analysis/analysis';
import { PrometheusClient } from './analysis/prometheus';
import { createKubeClient } from '../common/kube/client';
import { KubeError, describeKubeError as describeWith } from '../common/kube/errors';
import { CANARY_KUBE_FIXES, KINDS, KubeApi } from './kube/kinds';
import { CanaryShiftOptions } from './options';
import { abortReserveMs } from './plan/budget';
import { CANARY_IMAGE, imageText, runAnnotations } from './plan/canary-spec';
import { CanaryRollout } from './rollout';
import { ROUTERS } from './routers';

export interface ExecuteDeps {
  /** Tests pass an API bound to an emulator; the task builds one from the service connection. */
  api?: KubeApi;
  pollMs?: number;
}

function probesFor(ctx: TaskContext, o: CanaryShiftOptions, signal: AbortSignal, log: (m: string) => void): AnalysisProbes {
  const a = o.analysis;
  const prometheus = a.prometheusUrl ? new PrometheusClient(a.prometheusUrl, ctx.http, ctx.secrets, a.prometheusToken) : undefined;
  const redact = (t: string): string => ctx.secrets.redact(t);
  return {
    metric: prometheus && a.query ? (at) => prometheus.query(a.query as string, at) : undefined,
    smoke: a.smokeChecks && a.smokeBaseUrl
      ? async () => {
        const report = await runChecks(a.smokeChecks!, { baseUrl: a.smokeBaseUrl!, concurrency: 4, timeoutMs: 10_000, retries: 0, retryIntervalMs: 1000, waitForReadyMs: 0, signal }, { redact, log: (l) => ctx.host.debug(redact(l)) });
        const failures = report.results.filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped').map((r) => `${redact(r.name)}: ${outcomeLabel(r)}`);
        return { passed: report.passed, failed: report.failed, failures };
      }
      : undefined,
    sleep: (ms) => sleep(ms, signal),
    now: () => new Date(),
    log,
  };
}

export async function executeCanaryShift(ctx: TaskContext, o: CanaryShiftOptions, deps: ExecuteDeps = {}): Promise<TaskOutcome> {
  const log = (m: string): void => ctx.host.info(ctx.secrets.redact(m));
  let api = deps.api;
  if (!api) {
    if (!o.connection) throw new TaskError('No Kubernetes service connection was given.', 'Set the kubernetesServiceConnection input.');
    const kc = await createKubeConfig(o.connection, ctx.secrets);
    api = createKubeClient(kc, { namespace: o.namespace, types: KINDS, signal: ctx.signal, deadline: ctx.deadline, log: (m) => ctx.host.debug(m) });
  }
  // Waits and analyses stop early enough to leave time for an abort before the runner's hard deadline.
  const timeoutMs = o.rolloutTimeoutSeconds * 1000;
  const work = new AbortController();
  const timer = setTimeout(() => work.abort(new TimeoutError(`The canary ${o.action}`, timeoutMs, 'rolloutTimeoutSeconds')), Math.max(0, ctx.deadline - abortReserveMs(timeoutMs) - Date.now()));
  const onCancel = (): void => work.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCancel, { once: true });

  const annotations = runAnnotations(ctx.run);
  const rolloutRef: { current?: CanaryRollout } = {};
  const router = ROUTERS[o.router]({
    api, service: o.service, route: o.route, deployment: o.deployment, annotations, log, signal: ctx.signal,
    waitCanaryAvailable: async () => void (await rolloutRef.current!.waitCanary()),
  });
  const probes = probesFor(ctx, o, work.signal, log);
  const rollout = new CanaryRollout({
    api, options: o, router, annotations, log, signal: work.signal, cleanupSignal: ctx.signal, pollMs: deps.pollMs,
    sleep: (ms) => sleep(ms, work.signal),
    analyse: (): Promise<AnalysisResult> => analyse({ measurements: o.analysis.measurements, intervalMs: o.analysis.intervalMs, failureLimit: o.analysis.failureLimit, condition: o.analysis.condition }, probes),
  });
  rolloutRef.current = rollout;

  const server = api.server ? new URL(api.server).host : 'cluster';
  ctx.record.target = `${server}/namespaces/${o.namespace}/deployments/${o.deployment}`;
  const details = ctx.record.details;
  const a = o.analysis;
  Object.assign(details, {
    action: o.action, router: o.router, namespace: o.namespace, deployment: o.deployment, canary: rollout.canary, service: o.service, route: o.route,
    analysis: { query: a.query, successCondition: `result ${a.condition.op} ${a.condition.threshold}`, failureLimit: a.failureLimit, intervalMs: a.intervalMs, measurements: a.measurements, smokeChecks: a.smokeChecks?.length ?? 0 },
    steps: rollout.steps,
  });

  let outcome: 'promoted' | 'aborted' | 'paused' = 'paused';
  let finished = false;
  const finish = (): Record<string, string> => {
    finished = true;
    details.outcome = outcome;
    details.canaryWeight = rollout.weight;
    const outputs = { canaryWeight: String(rollout.weight), outcome };
    for (const [k, v] of Object.entries(outputs)) ctx.host.setOutput(k, v);
    return outputs;
  };
  try {
    // The artifact is the canary's image: the input, or what the canary was deployed with.
    const deployed = parseImageRef((o.image ? '' : (await api.get('Deployment', rollout.canary))?.metadata.annotations?.[CANARY_IMAGE]) ?? '');
    const ref = o.image ?? (deployed.ok ? deployed.value : undefined);
    if (ref) {
      ctx.record.artifact = { registry: ref.registry, repository: ref.repository, digest: ref.digest, tags: ref.tag ? [ref.tag] : undefined };
      details.image = imageText(ref);
    }
    // Outputs report the weight in effect even when the action fails before changing it.
    rollout.weight = await router.currentWeight();
    switch (o.action) {
      case 'deploy': await guarded(() => rollout.deploy()); break;
      case 'shift': await rollout.shift(o.weight ?? 0); break;
      case 'run': await guarded(() => rollout.run()); outcome = 'promoted'; break;
      case 'promote': await rollout.promote(); outcome = 'promoted'; break;
      case 'abort': await rollout.abort('abort action'); outcome = 'aborted'; break;
    }
    const outputs = finish();
    ctx.record.summary = summaryOf(o, rollout, outcome);
    return { message: ctx.record.summary, outputs };
  } catch (err) {
    if (!finished) {
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
  async function guarded(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
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
        throw new TaskError(`${what.replace(/\.?$/, '.')} The automatic abort failed too: ${why}`, 'Run the abort action (traffic 100% stable, canary removed) once the cluster is reachable.');
      }
      outcome = 'aborted';
      finish();
      ctx.record.summary = `${o.deployment}: canary aborted, traffic 100% stable`;
      throw new TaskError(`${what.replace(/\.?$/, '.')} Aborted: traffic is 100% stable and the canary was removed.`);
    }
  }
}

function summaryOf(o: CanaryShiftOptions, r: CanaryRollout, outcome: string): string {
  const weights = r.steps.filter((s) => s.kind === 'weight').map((s) => `${s.weight}%`);
  if (o.action === 'run') return `${o.deployment}: canary ${weights.length ? `${weights.join(' → ')}, ` : ''}${outcome}`;
  if (o.action === 'shift' || o.action === 'deploy') return `${o.deployment}: canary at ${r.weight}% (${o.action})`;
  return `${o.deployment}: canary ${outcome}`;
}

const describeKubeError = (err: unknown): string => describeWith(err, CANARY_KUBE_FIXES);
