import { Json, JsonObject, isObject } from './patch';

/** One REST resource, as its APIResource entry in discovery describes it. */
export interface ResourceType {
  /** '' for the core group (/api/v1). */
  group: string;
  /** Served versions; objects are stored once and served in any of them (no conversion needed for these types). */
  versions: string[];
  kind: string;
  plural: string;
  singular?: string;
  namespaced: boolean;
  /** Built-in types accept strategic merge patch and unconditional updates; custom resources do neither. */
  builtin?: boolean;
  status?: boolean;
  scale?: boolean;
  shortNames?: string[];
}

const core = (kind: string, plural: string, extra: Partial<ResourceType> = {}): ResourceType => ({
  group: '',
  versions: ['v1'],
  kind,
  plural,
  namespaced: true,
  builtin: true,
  ...extra,
});

export const DEFAULT_RESOURCES: ResourceType[] = [
  core('Namespace', 'namespaces', { namespaced: false, status: true, shortNames: ['ns'] }),
  core('Service', 'services', { status: true, shortNames: ['svc'] }),
  core('Secret', 'secrets'),
  core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  core('Pod', 'pods', { status: true, shortNames: ['po'] }),
  core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    builtin: true,
    status: true,
    scale: true,
    shortNames: ['deploy'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    builtin: true,
    status: true,
    scale: true,
    shortNames: ['rs'],
  },
  {
    group: 'autoscaling',
    versions: ['v2'],
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    builtin: true,
    status: true,
    shortNames: ['hpa'],
  },
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    kind: 'Ingress',
    plural: 'ingresses',
    namespaced: true,
    builtin: true,
    status: true,
    shortNames: ['ing'],
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    kind: 'HTTPRoute',
    plural: 'httproutes',
    namespaced: true,
    status: true,
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    kind: 'Gateway',
    plural: 'gateways',
    namespaced: true,
    status: true,
    shortNames: ['gtw'],
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'VirtualService',
    plural: 'virtualservices',
    namespaced: true,
    status: true,
    shortNames: ['vs'],
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'DestinationRule',
    plural: 'destinationrules',
    namespaced: true,
    status: true,
    shortNames: ['dr'],
  },
  {
    group: 'database.oracle.com',
    versions: ['v4', 'v1alpha1'],
    kind: 'AutonomousDatabase',
    plural: 'autonomousdatabases',
    namespaced: true,
    status: true,
    shortNames: ['adb'],
  },
];

/** "deployments.apps" / "services": how the server names a resource in its messages. */
export function qualifiedName(t: ResourceType): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export function apiVersionOf(t: ResourceType, version: string): string {
  return t.group ? `${t.group}/${version}` : version;
}

export function discoveryEntry(t: ResourceType): JsonObject {
  const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    name: t.plural,
    singularName: t.singular ?? t.kind.toLowerCase(),
    namespaced: t.namespaced,
    kind: t.kind,
    verbs,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
  };
}

type Requirement = (labels: Record<string, string>) => boolean;

/** Label selectors as the API accepts them: =, ==, !=, in, notin, exists, !exists. */
export function parseLabelSelector(text: string): Requirement[] | string {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  const reqs: Requirement[] = [];
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(raw))) {
      const [, k, op, v] = m;
      reqs.push(op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v);
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw))) {
      const [, k, op, list] = m;
      const values = list.split(',').map((s) => s.trim());
      reqs.push(op === 'in' ? (l) => k in l && values.includes(l[k]) : (l) => !(k in l) || !values.includes(l[k]));
    } else if ((m = /^(!?)([\w./-]+)$/.exec(raw))) {
      const [, not, k] = m;
      reqs.push(not ? (l) => !(k in l) : (l) => k in l);
    } else return `unable to parse requirement: ${raw}`;
  }
  return reqs;
}

export function matchesSelector(reqs: Requirement[], obj: JsonObject): boolean {
  const labels = (isObject(obj.metadata) && isObject(obj.metadata.labels) ? obj.metadata.labels : {}) as Record<
    string,
    string
  >;
  return reqs.every((r) => r(labels));
}

/** Field-level problems the real API validation reports as 422 Invalid. */
export function validate(t: ResourceType, obj: JsonObject, old?: JsonObject): string[] {
  const problems: string[] = [];
  const meta = obj.metadata as JsonObject;
  for (const field of ['labels', 'annotations'] as const) {
    const m = meta[field];
    if (m !== undefined && (!isObject(m) || Object.values(m).some((v) => typeof v !== 'string')))
      problems.push(`metadata.${field}: Invalid value: values must be strings`);
  }
  const labels = (meta.labels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v === 'string' && (v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)))
      problems.push(
        `metadata.labels: Invalid value: "${v}": a valid label value for ${k} must be 63 characters or less, alphanumeric, '-', '_' or '.'`,
      );
  }
  if (t.kind === 'Deployment') {
    const spec = obj.spec as JsonObject | undefined;
    const selector = isObject(spec?.selector) ? spec.selector.matchLabels : undefined;
    const tmplLabels =
      isObject(spec?.template) && isObject(spec.template.metadata) ? spec.template.metadata.labels : undefined;
    if (!isObject(selector)) problems.push('spec.selector: Required value');
    else if (!isObject(tmplLabels) || Object.entries(selector).some(([k, v]) => tmplLabels[k] !== v))
      problems.push('spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
    const containers =
      isObject(spec?.template) && isObject(spec.template.spec) ? spec.template.spec.containers : undefined;
    if (!Array.isArray(containers) || !containers.length)
      problems.push('spec.template.spec.containers: Required value');
    const replicas = spec?.replicas;
    if (replicas !== undefined && (typeof replicas !== 'number' || replicas < 0))
      problems.push('spec.replicas: Invalid value: must be greater than or equal to 0');
    if (old && JSON.stringify((old.spec as JsonObject)?.selector) !== JSON.stringify(spec?.selector))
      problems.push('spec.selector: Invalid value: field is immutable');
  }
  if (t.kind === 'HorizontalPodAutoscaler') {
    // pkg/apis/autoscaling/validation/validation.go: ValidateHorizontalPodAutoscalerSpec.
    const spec = (obj.spec ?? {}) as JsonObject;
    const ref = spec.scaleTargetRef;
    if (!isObject(ref) || !ref.kind || !ref.name) problems.push('spec.scaleTargetRef: Required value');
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas;
    if (typeof min !== 'number' || min < 1)
      problems.push(`spec.minReplicas: Invalid value: ${JSON.stringify(min)}: must be greater than or equal to 1`);
    if (typeof max !== 'number' || max < 1)
      problems.push(`spec.maxReplicas: Invalid value: ${JSON.stringify(max)}: must be greater than 0`);
    else if (typeof min === 'number' && max < min)
      problems.push(`spec.maxReplicas: Invalid value: ${max}: must be greater than or equal to \`minReplicas\``);
  }
  if (t.kind === 'Secret' && isObject(obj.data)) {
    for (const [k, v] of Object.entries(obj.data))
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
        problems.push(`data[${k}]: Invalid value: illegal base64 data`);
  }
  if (t.kind === 'HTTPRoute') {
    for (const rule of ((obj.spec as JsonObject)?.rules ?? []) as Json[]) {
      for (const ref of ((isObject(rule) ? rule.backendRefs : []) ?? []) as Json[]) {
        const w = isObject(ref) ? ref.weight : undefined;
        if (w !== undefined && (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 1_000_000))
          problems.push(
            `spec.rules.backendRefs.weight: Invalid value: ${JSON.stringify(w)}: must be an integer between 0 and 1000000`,
          );
      }
    }
  }
  return problems;
}

/** Defaults the API server fills in, so clients read back what a real cluster returns. */
export function applyDefaults(t: ResourceType, obj: JsonObject): void {
  if (t.kind === 'Deployment' && isObject(obj.spec)) {
    const spec = obj.spec;
    spec.replicas ??= 1;
    spec.progressDeadlineSeconds ??= 600;
    spec.revisionHistoryLimit ??= 10;
    spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  }
  if (t.kind === 'Service' && isObject(obj.spec)) {
    obj.spec.type ??= 'ClusterIP';
    obj.spec.clusterIP ??= `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
  }
  if (t.kind === 'Secret') obj.type ??= 'Opaque';
  if (t.kind === 'HorizontalPodAutoscaler' && isObject(obj.spec)) {
    // pkg/apis/autoscaling/v2/defaults.go: minReplicas 1, and CPU at 80% when no metric is given.
    obj.spec.minReplicas ??= 1;
    if (!Array.isArray(obj.spec.metrics) || !obj.spec.metrics.length)
      obj.spec.metrics = [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ];
  }
}
