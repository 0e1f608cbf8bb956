import { KubernetesConnection, readKubernetesConnection } from '../common/connections/kubernetes';
import { parseDuration } from '../common/duration';
import { TaskHost } from '../common/host';
import { ImageRef, parseImageRef } from '../common/image-ref';
import { InputReader } from '../common/inputs';
import { Condition, parseCondition } from './condition';
import { Step, parseSteps } from './steps';

export type CanaryAction = 'deploy' | 'shift' | 'run' | 'promote' | 'abort';
export type RouterKind = 'gatewayApi' | 'istio' | 'nginx' | 'pod';

export interface AnalysisOptions {
  prometheusUrl?: URL;
  query?: string;
  condition: Condition;
  failureLimit: number;
  intervalMs: number;
  measurements: number;
  smokeChecks?: string;
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
  const service = inputs.optionalString('service', name);
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
  if (!!prometheusUrl !== !!query) inputs.problem(prometheusUrl ? 'query' : 'prometheusUrl', 'is required when the other Prometheus input is set.', 'Set both prometheusUrl and query, or neither.');
  const smokeChecks = inputs.raw('smokeChecks');
  const smokeBaseUrl = inputs.url('smokeBaseUrl');
  if (smokeChecks && !smokeBaseUrl) inputs.problem('smokeBaseUrl', 'is required when smokeChecks are set.', 'Set the canary URL the checks should call.');
  const weight = inputs.optionalNumber('weight', { min: 0, max: 100, integer: true });
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
      query,
      condition: condition.ok ? condition.value : { op: '>=', threshold: 0 },
      failureLimit: inputs.number('failureLimit', { min: 0, max: 100, integer: true }),
      intervalMs: intervalMs ?? 30_000,
      measurements: inputs.number('measurements', { min: 1, max: 1000, integer: true }),
      smokeChecks,
      smokeBaseUrl,
    },
    rolloutTimeoutSeconds: inputs.number('rolloutTimeoutSeconds', { min: 10, max: 86_400, integer: true }),
    autoAbort: inputs.boolean('autoAbort'),
  };
}
