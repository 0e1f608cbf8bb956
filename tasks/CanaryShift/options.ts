import { KubernetesConnection, readKubernetesConnection } from '../common/connections/kubernetes';
import { parseDuration } from '../common/duration';
import { TaskHost } from '../common/host';
import { ImageRef } from '../common/image-ref';
import { AzureRmConnection, readAzureRmConnection } from '../common/connections/azure-rm';
import { InputReader } from '../common/inputs';
import { CheckSpec } from '../common/checks';
import { parseTaskChecks } from '../common/checks/check-secrets';
import { Condition, parseCondition } from './condition';
import { METRICS_FIX, MetricSpec, parseMetrics } from './analysis/metrics';
import { abortReserveMs, minimumStepsMs, requiredTimeoutSeconds, stepTimeoutMinutes } from './plan/budget';
import { parseKubeImage } from './plan/kube-image';
import { Step, indefinitePauseIndex, parseSteps } from './steps';
import { ReleaseOptions, readReleaseOptions } from './options-release';
import { blueGreenNeedMs } from './plan/budget-blue-green';

export type CanaryAction = 'deploy' | 'shift' | 'run' | 'promote' | 'abort';
export type RouterKind = 'gatewayApi' | 'istio' | 'nginx' | 'pod';

export interface AnalysisOptions {
  prometheusUrl?: URL;
  /** Bearer token for Prometheus behind an auth proxy (Azure Monitor workspace, OCI, Grafana Cloud…). */
  prometheusToken?: string;
  query?: string;
  condition: Condition;
  failureLimit: number;
  intervalMs: number;
  measurements: number;
  /** Parsed and validated before anything changes; $(variables) expanded from pipeline variables. */
  smokeChecks?: CheckSpec[];
  smokeBaseUrl?: URL;
  /** The `metrics` list, plus the single-query inputs as a metric named `query`; dry-run before any shift. */
  metrics: MetricSpec[];
  /** AzureRM connection: Entra tokens for Azure Monitor workspaces (Prometheus) and Log Analytics. */
  azure?: AzureRmConnection;
}

export interface CanaryShiftOptions {
  connection?: KubernetesConnection;
  namespace: string;
  action: CanaryAction;
  deployment: string;
  service?: string;
  image?: ImageRef;
  canaryReplicas: number;
  /** Upper bound on the canary's replicas (0: none); they otherwise follow the weight. */
  maxCanaryReplicas: number;
  /** The container whose image changes (default: the only one, or the one running the image's repository). */
  container?: string;
  weight?: number;
  router: RouterKind;
  route?: string;
  steps: Step[];
  analysis: AnalysisOptions;
  rolloutTimeoutSeconds: number;
  /** True when rolloutTimeoutSeconds was derived from the steps (the input was left empty). */
  timeoutDerived: boolean;
  autoAbort: boolean;
  /** Issue 15: strategy (canary or blue/green), canaryPatch, canaryHeader. */
  release: ReleaseOptions;
}

/** RFC 1123 label / subdomain names, as Kubernetes validates them. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function readCanaryShiftOptions(inputs: InputReader, host: TaskHost): CanaryShiftOptions {
  const action = inputs.pick<CanaryAction>('action');
  const router = inputs.pick<RouterKind>('trafficRouter');
  const name = {
    pattern: DNS_SUBDOMAIN,
    expected: 'a Kubernetes name (lower-case letters, digits, - and .)',
    maxLength: 253,
  };
  const namespace = inputs.string('namespace', {
    pattern: DNS_LABEL,
    expected: 'a namespace name (lower-case letters, digits and -)',
    maxLength: 63,
  });
  // The canary is named <deployment>-canary, which must itself stay a valid name.
  const deployment = inputs.string('deployment', { ...name, maxLength: 246 });
  // Service names are DNS-1035 labels (≤ 63), and <service>-canary must be one too.
  const service = inputs.optionalString('service', {
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    expected: 'a Service name (lower-case letters, digits and -, starting with a letter)',
    maxLength: 56,
  });
  if (router !== 'pod' && !service)
    inputs.problem(
      'service',
      `is required with the ${router} router.`,
      'Name the Service in front of the stable pods.',
    );
  let image: ImageRef | undefined;
  const imageText = inputs.optionalString('image');
  if (imageText) {
    const parsed = parseKubeImage(imageText);
    if (parsed.ok) image = parsed.value;
    else
      inputs.problem(
        'image',
        `'${imageText.slice(0, 200)}' is not an image reference: ${parsed.error}.`,
        'Use an image as Kubernetes takes it: nginx:1.27, registry/repository@sha256:<digest> (or :tag).',
      );
  }
  // Blue/green has no steps: its phases come from the blue/green inputs (the steps default is ignored).
  const blueGreen = inputs.pick('strategy') === 'blueGreen';
  let steps: Step[] = [];
  if (action === 'run' && !blueGreen) {
    const parsed = parseSteps(inputs.raw('steps') ?? '');
    if (parsed.ok) steps = parsed.value;
    else
      inputs.problem(
        'steps',
        `${parsed.error}.`,
        `${parsed.fix ?? 'Write steps such as: 10, pause 60s, analysis, 50, 100'}.`,
      );
  }
  const conditionText = inputs.string('successCondition');
  const condition = parseCondition(conditionText);
  if (!condition.ok) inputs.problem('successCondition', `${condition.error}.`, 'Write e.g. result >= 0.99.');
  const intervalText = inputs.string('interval');
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === undefined || intervalMs < 1000)
    inputs.problem('interval', `'${intervalText}' is not a duration of at least 1s.`, 'Write e.g. 30s or 1m.');
  const prometheusUrl = inputs.url('prometheusUrl');
  const query = inputs.optionalString('query');
  const hasUrl = !!inputs.raw('prometheusUrl');
  // prometheusUrl alone is the default address of the metrics list's prometheus metrics.
  if (query && !hasUrl)
    inputs.problem('prometheusUrl', 'is required when query is set.', 'Set both prometheusUrl and query, or neither.');
  if (hasUrl && !query && !inputs.raw('metrics')?.trim())
    inputs.problem(
      'query',
      'is required when prometheusUrl is set (and no metrics are).',
      'Set both prometheusUrl and query, or metrics, or neither.',
    );
  // Read through the secret reader: registered with the agent before any use.
  const prometheusToken = inputs.secret('prometheusToken');
  const smokeText = inputs.raw('smokeChecks');
  const smokeBaseUrl = inputs.url('smokeBaseUrl');
  if (smokeText && !smokeBaseUrl)
    inputs.problem(
      'smokeBaseUrl',
      'is required when smokeChecks are set.',
      'Set the canary URL the checks should call.',
    );
  let smokeChecks: CheckSpec[] | undefined;
  if (smokeText) {
    // Secret variables in the checks are registered before use, as SmokeTest does.
    const parsed = parseTaskChecks(smokeText, host, inputs.secrets, host.secretVariables());
    if (parsed.ok) smokeChecks = parsed.value;
    else inputs.problem('smokeChecks', parsed.error, 'Fix the checks (the SmokeTest format: name, path, expect…).');
  }
  const metrics: MetricSpec[] = [];
  const measurements = inputs.number('measurements', { min: 1, max: 1000, integer: true });
  const failureLimit = inputs.number('failureLimit', { min: 0, max: 100, integer: true });
  // The single-query inputs are the defaults of every metric in the list.
  const defaults = {
    condition: condition.ok ? condition.value : { op: '>=' as const, threshold: 0 },
    failureLimit,
    intervalMs: intervalMs ?? 30_000,
    measurements,
    prometheusUrl,
  };
  if (query && prometheusUrl)
    metrics.push({ name: 'query', provider: 'prometheus', query, address: prometheusUrl, noData: 'fail', ...defaults });
  const metricsText = inputs.raw('metrics');
  if (metricsText?.trim()) {
    const parsed = parseMetrics(metricsText, defaults);
    if (!parsed.ok) inputs.problem('metrics', `${parsed.error}.`, `${METRICS_FIX}.`);
    else if (parsed.value.some((m) => metrics.some((q) => q.name === m.name)))
      inputs.problem('metrics', "uses the name 'query', which the query input already takes.", 'Rename that metric.');
    else metrics.push(...parsed.value);
  }
  // TODO(issue 15): the logAnalytics (@azure/monitor-query) and ociMonitoring (oci-monitoring) providers are not built yet.
  const unbuilt = metrics.find((m) => m.provider !== 'prometheus');
  if (unbuilt)
    inputs.problem(
      'metrics',
      `metric ${unbuilt.name} uses provider ${unbuilt.provider}, which this version of CanaryShift does not have yet.`,
      'Use provider: prometheus (an Azure Monitor workspace works through its Prometheus query endpoint and azureSubscription).',
    );
  const azure = readAzureRmConnection(inputs, host.endpoints, 'azureSubscription');
  const needsAzure = metrics.find((m) => m.provider === 'logAnalytics');
  if (needsAzure && !azure)
    inputs.problem(
      'azureSubscription',
      `is required by metric ${needsAzure.name} (logAnalytics).`,
      'Set an Azure Resource Manager service connection that can read the workspace.',
    );
  if (azure && prometheusToken)
    inputs.problem(
      'prometheusToken',
      'is set together with azureSubscription.',
      'Use one: the Azure connection mints Entra tokens for an Azure Monitor workspace; the token is for other servers.',
    );
  if (action === 'run') {
    for (const s of steps) {
      const unknown = s.kind === 'analysis' ? s.metrics?.find((n) => !metrics.some((m) => m.name === n)) : undefined;
      if (unknown)
        inputs.problem(
          'steps',
          `name metric '${unknown.slice(0, 63)}', which the metrics input does not define.`,
          `Use one of: ${metrics.map((m) => m.name).join(', ') || '(no metrics defined)'}.`,
        );
    }
  }
  if (action === 'run' && steps.some((s) => s.kind === 'analysis') && !metrics.length && !smokeText) {
    inputs.problem(
      'steps',
      'contain an analysis step, but no analysis is configured.',
      'Set metrics, or prometheusUrl and query, or smokeChecks and smokeBaseUrl; or remove the analysis steps.',
    );
  }
  const weight = inputs.optionalNumber('weight', { min: 0, max: 100, integer: true });
  if (action === 'shift' && router === 'pod' && weight === 100)
    inputs.problem(
      'weight',
      'cannot be 100 with the pod router: the stable Deployment keeps its replicas until promote.',
      'Use the promote action to move all traffic to the new version.',
    );
  // Metrics of one analysis step run side by side: the slowest decides how long the step measures.
  const stepMs = (s: Step & { kind: 'analysis' }): number => {
    const used = metrics.filter((m) => !s.metrics || s.metrics.includes(m.name));
    const smokeMs = smokeText ? (measurements - 1) * (intervalMs ?? 30_000) : 0;
    return Math.max(smokeMs, ...used.map((m) => (m.measurements - 1) * m.intervalMs));
  };
  const release = readReleaseOptions(inputs, {
    action,
    service,
    deployment,
    router,
    metricNames: metrics.map((m) => m.name),
  });
  if ((action === 'deploy' || action === 'run') && !image && !release.canaryPatch)
    inputs.problem('image', 'is required (or canaryPatch) to deploy.', 'Set the new image, a canaryPatch, or both.');
  const needMs = release.blueGreen
    ? blueGreenNeedMs(action, release.blueGreen, (names) => stepMs({ kind: 'analysis', metrics: names }))
    : action === 'run'
      ? minimumStepsMs(steps, stepMs)
      : 0;
  const derived = action === 'run' || needMs > 0 ? requiredTimeoutSeconds(needMs) : 600;
  const timeoutDerived = !inputs.raw('rolloutTimeoutSeconds')?.trim();
  const rolloutTimeoutSeconds = timeoutDerived
    ? derived
    : inputs.number('rolloutTimeoutSeconds', { min: 10, max: 86_400, integer: true });
  // Steps that cannot finish in time would only ever end in a timeout abort: say so before starting.
  const budgetMs = rolloutTimeoutSeconds * 1000 - abortReserveMs(rolloutTimeoutSeconds * 1000);
  if ((action === 'run' || release.blueGreen) && needMs >= budgetMs) {
    inputs.problem(
      'rolloutTimeoutSeconds',
      `(${rolloutTimeoutSeconds} s) leaves ${Math.round(budgetMs / 1000)} s for the steps, but their pauses and measurement intervals alone take ${Math.round(needMs / 1000)} s.`,
      `Leave rolloutTimeoutSeconds empty to derive it from the steps (${derived} s), or set it to at least ${derived}; the step's timeoutInMinutes must then be at least ${stepTimeoutMinutes(derived)} (the agent stops the task at that limit, which it does not tell the task). Or shorten the pauses or the analyses.`,
    );
  }
  if (
    action === 'run' &&
    indefinitePauseIndex(steps) >= 0 &&
    steps.slice(indefinitePauseIndex(steps) + 1).some((s) => s.kind !== 'weight')
  ) {
    // Steps after `pause` are not run by this run: promote finishes the rollout. Pauses/analyses there would be ignored silently.
    inputs.problem(
      'steps',
      `have pauses or analyses after a pause without a duration (step ${indefinitePauseIndex(steps) + 1}); the run stops at that pause, and promote does not run them.`,
      'End the steps at the pause without a duration (promote or abort follows in a later step or stage), or give that pause a duration.',
    );
  }
  return {
    connection: readKubernetesConnection(inputs, host.endpoints, 'kubernetesServiceConnection'),
    namespace,
    action,
    deployment,
    service,
    image,
    canaryReplicas: inputs.number('canaryReplicas', { min: 1, max: 1000, integer: true }),
    maxCanaryReplicas: inputs.optionalNumber('maxCanaryReplicas', { min: 0, max: 1000, integer: true }) ?? 0,
    container: inputs.optionalString('container', {
      pattern: DNS_LABEL,
      expected: 'a container name (lower-case letters, digits and -)',
      maxLength: 63,
    }),
    weight,
    router,
    route: router === 'pod' ? undefined : inputs.string('route', name),
    steps,
    analysis: {
      prometheusUrl,
      prometheusToken,
      query,
      condition: condition.ok ? condition.value : { op: '>=', threshold: 0 },
      failureLimit,
      intervalMs: intervalMs ?? 30_000,
      measurements,
      smokeChecks,
      smokeBaseUrl,
      metrics,
      azure,
    },
    rolloutTimeoutSeconds,
    timeoutDerived,
    autoAbort: inputs.boolean('autoAbort'),
    release,
  };
}
