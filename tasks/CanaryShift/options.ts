import { KubernetesConnection, readKubernetesConnection } from '../common/connections/kubernetes';
import { parseDuration } from '../common/duration';
import { TaskHost } from '../common/host';
import { ImageRef, parseImageRef } from '../common/image-ref';
import { InputReader } from '../common/inputs';
import { CheckSpec } from '../common/checks';
import { parseTaskChecks } from '../common/checks/check-secrets';
import { Condition, parseCondition } from './condition';
import { abortReserveMs, minimumStepsMs } from './plan/budget';
import { Step, parseSteps } from './steps';

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
}

export interface CanaryShiftOptions {
  connection?: KubernetesConnection;
  namespace: string;
  action: CanaryAction;
  deployment: string;
  service?: string;
  image?: ImageRef;
  canaryReplicas: number;
  weight?: number;
  router: RouterKind;
  route?: string;
  steps: Step[];
  analysis: AnalysisOptions;
  rolloutTimeoutSeconds: number;
  autoAbort: boolean;
}

/** RFC 1123 label / subdomain names, as Kubernetes validates them. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function readCanaryShiftOptions(inputs: InputReader, host: TaskHost): CanaryShiftOptions {
  const action = inputs.pick<CanaryAction>('action');
  const router = inputs.pick<RouterKind>('trafficRouter');
  const name = { pattern: DNS_SUBDOMAIN, expected: 'a Kubernetes name (lower-case letters, digits, - and .)', maxLength: 253 };
  const namespace = inputs.string('namespace', { pattern: DNS_LABEL, expected: 'a namespace name (lower-case letters, digits and -)', maxLength: 63 });
  // The canary is named <deployment>-canary, which must itself stay a valid name.
  const deployment = inputs.string('deployment', { ...name, maxLength: 246 });
  // Service names are DNS-1035 labels (≤ 63), and <service>-canary must be one too.
  const service = inputs.optionalString('service', { pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/, expected: 'a Service name (lower-case letters, digits and -, starting with a letter)', maxLength: 56 });
  if (router !== 'pod' && !service) inputs.problem('service', `is required with the ${router} router.`, 'Name the Service in front of the stable pods.');
  let image: ImageRef | undefined;
  const imageText = inputs.optionalString('image');
  if (imageText) {
    const parsed = parseImageRef(imageText);
    if (parsed.ok) image = parsed.value;
    else inputs.problem('image', `'${imageText}' is not an image reference: ${parsed.error}.`, 'Use registry/repository@sha256:<digest> (or :tag).');
  }
  let steps: Step[] = [];
  if (action === 'run') {
    const parsed = parseSteps(inputs.raw('steps') ?? '');
    if (parsed.ok) steps = parsed.value;
    else inputs.problem('steps', `${parsed.error}.`, 'Write steps such as: 10, pause 60s, analysis, 50, 100.');
  }
  const conditionText = inputs.string('successCondition');
  const condition = parseCondition(conditionText);
  if (!condition.ok) inputs.problem('successCondition', `${condition.error}.`, 'Write e.g. result >= 0.99.');
  const intervalText = inputs.string('interval');
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === undefined || intervalMs < 1000) inputs.problem('interval', `'${intervalText}' is not a duration of at least 1s.`, 'Write e.g. 30s or 1m.');
  const prometheusUrl = inputs.url('prometheusUrl');
  const query = inputs.optionalString('query');
  const hasUrl = !!inputs.raw('prometheusUrl');
  if (hasUrl !== !!query) inputs.problem(hasUrl ? 'query' : 'prometheusUrl', 'is required when the other Prometheus input is set.', 'Set both prometheusUrl and query, or neither.');
  // Read through the secret reader: registered with the agent before any use.
  const prometheusToken = inputs.secret('prometheusToken');
  const smokeText = inputs.raw('smokeChecks');
  const smokeBaseUrl = inputs.url('smokeBaseUrl');
  if (smokeText && !smokeBaseUrl) inputs.problem('smokeBaseUrl', 'is required when smokeChecks are set.', 'Set the canary URL the checks should call.');
  let smokeChecks: CheckSpec[] | undefined;
  if (smokeText) {
    // Secret variables in the checks are registered before use, as SmokeTest does.
    const parsed = parseTaskChecks(smokeText, host, inputs.secrets, host.secretVariables());
    if (parsed.ok) smokeChecks = parsed.value;
    else inputs.problem('smokeChecks', parsed.error, 'Fix the checks (the SmokeTest format: name, path, expect…).');
  }
  if (action === 'run' && steps.some((s) => s.kind === 'analysis') && !hasUrl && !smokeText) {
    inputs.problem('steps', 'contain an analysis step, but no analysis is configured.', 'Set prometheusUrl and query, or smokeChecks and smokeBaseUrl; or remove the analysis steps.');
  }
  const weight = inputs.optionalNumber('weight', { min: 0, max: 100, integer: true });
  if (action === 'shift' && router === 'pod' && weight === 100) inputs.problem('weight', 'cannot be 100 with the pod router: the stable Deployment keeps its replicas until promote.', 'Use the promote action to move all traffic to the new version.');
  const rolloutTimeoutSeconds = inputs.number('rolloutTimeoutSeconds', { min: 10, max: 86_400, integer: true });
  const measurements = inputs.number('measurements', { min: 1, max: 1000, integer: true });
  // Steps that cannot finish in time would only ever end in a timeout abort: say so before starting.
  const needMs = minimumStepsMs(steps, { measurements, intervalMs: intervalMs ?? 30_000 });
  const budgetMs = rolloutTimeoutSeconds * 1000 - abortReserveMs(rolloutTimeoutSeconds * 1000);
  if (action === 'run' && needMs >= budgetMs) {
    inputs.problem('rolloutTimeoutSeconds', `(${rolloutTimeoutSeconds} s) leaves ${Math.round(budgetMs / 1000)} s for the steps, but their pauses and measurement intervals alone take ${Math.round(needMs / 1000)} s.`, 'Raise rolloutTimeoutSeconds, or shorten the pauses or the analyses.');
  }
  return {
    connection: readKubernetesConnection(inputs, host.endpoints, 'kubernetesServiceConnection'),
    namespace,
    action,
    deployment,
    service,
    image,
    canaryReplicas: inputs.number('canaryReplicas', { min: 1, max: 1000, integer: true }),
    weight,
    router,
    route: router === 'pod' ? undefined : inputs.string('route', name),
    steps,
    analysis: {
      prometheusUrl,
      prometheusToken,
      query,
      condition: condition.ok ? condition.value : { op: '>=', threshold: 0 },
      failureLimit: inputs.number('failureLimit', { min: 0, max: 100, integer: true }),
      intervalMs: intervalMs ?? 30_000,
      measurements,
      smokeChecks,
      smokeBaseUrl,
    },
    rolloutTimeoutSeconds,
    autoAbort: inputs.boolean('autoAbort'),
  };
}
