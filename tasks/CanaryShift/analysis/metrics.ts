import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../common/duration';
import { Parsed } from '../../common/image-ref';
import { Condition, parseCondition } from '../condition';

export type ProviderKind = 'prometheus' | 'logAnalytics' | 'ociMonitoring';
/** What a measurement with no data counts as: a failure, nothing at all (not counted either way), or a pass. */
export type NoDataPolicy = 'fail' | 'inconclusive' | 'pass';

/** One metric of the analysis, as Argo Rollouts' AnalysisTemplate metrics: count/interval/failureLimit. */
export interface MetricSpec {
  name: string;
  provider: ProviderKind;
  query: string;
  condition: Condition;
  failureLimit: number;
  intervalMs: number;
  measurements: number;
  noData: NoDataPolicy;
  /** prometheus: the server (default: the prometheusUrl input). */
  address?: URL;
  /** logAnalytics: the Log Analytics workspace id (Application Insights: its workspace). */
  workspaceId?: string;
  /** ociMonitoring: compartment OCID and metric namespace (e.g. oci_lbaas). */
  compartmentId?: string;
  namespace?: string;
}

export interface MetricDefaults {
  condition: Condition;
  failureLimit: number;
  intervalMs: number;
  measurements: number;
  prometheusUrl?: URL;
}

const KEYS = new Set([
  'name',
  'provider',
  'query',
  'successCondition',
  'failureLimit',
  'interval',
  'measurements',
  'count',
  'noData',
  'address',
  'workspaceId',
  'compartmentId',
  'namespace',
]);
const PROVIDERS: ProviderKind[] = ['prometheus', 'logAnalytics', 'ociMonitoring'];
const NAME = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/i;
export const METRICS_FIX =
  'Write a YAML list such as: - name: error-rate / provider: prometheus / query: … / successCondition: result >= 0.99';

type Field = Record<string, unknown>;

/** A YAML scalar as text; a map or list where a scalar belongs shows as JSON, never as [object Object]. */
function show(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function text(m: Field, key: string): string | undefined {
  const v = m[key];
  return v === undefined || v === null ? undefined : show(v).trim();
}

/** The `metrics` input: every entry is checked and the first problem is named with the metric and key. */
export function parseMetrics(yamlText: string, d: MetricDefaults): Parsed<MetricSpec[]> {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText, { maxAliasCount: 0 });
  } catch (err) {
    return {
      ok: false,
      error: `is not valid YAML: ${String((err as Error).message)
        .split('\n')[0]
        .slice(0, 160)}`,
    };
  }
  if (!Array.isArray(doc) || !doc.length) return { ok: false, error: 'is not a YAML list of metrics' };
  const out: MetricSpec[] = [];
  for (const [i, item] of doc.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      return { ok: false, error: `entry ${i + 1} is not a map` };
    const m = item as Field;
    const name = text(m, 'name') ?? '';
    const at = `metric ${i + 1}${name ? ` (${name.slice(0, 40)})` : ''}`;
    const unknown = Object.keys(m).find((k) => !KEYS.has(k));
    if (unknown) return { ok: false, error: `${at}: unknown key '${unknown.slice(0, 40)}'` };
    if (!NAME.test(name) || name.length > 63)
      return { ok: false, error: `${at}: name is required (letters, digits, - and _)` };
    if (out.some((o) => o.name === name)) return { ok: false, error: `${at}: the name is used twice` };
    const provider = (text(m, 'provider') ?? 'prometheus') as ProviderKind;
    if (!PROVIDERS.includes(provider))
      return { ok: false, error: `${at}: provider '${provider.slice(0, 40)}' is not one of ${PROVIDERS.join(', ')}` };
    const query = text(m, 'query');
    if (!query) return { ok: false, error: `${at}: query is required` };
    let condition = d.condition;
    if (m.successCondition !== undefined) {
      const c = parseCondition(show(m.successCondition));
      if (!c.ok) return { ok: false, error: `${at}: successCondition ${c.error}` };
      condition = c.value;
    }
    const int = (key: string, min: number, max: number, fallback: number): number | string => {
      const raw = m[key];
      if (raw === undefined) return fallback;
      const n = Number(raw);
      return Number.isInteger(n) && n >= min && n <= max
        ? n
        : `${at}: ${key} '${show(raw).slice(0, 20)}' is not a whole number from ${min} to ${max}`;
    };
    const failureLimit = int('failureLimit', 0, 100, d.failureLimit);
    const measurements = int(m.count !== undefined ? 'count' : 'measurements', 1, 1000, d.measurements);
    if (typeof failureLimit === 'string') return { ok: false, error: failureLimit };
    if (typeof measurements === 'string') return { ok: false, error: measurements };
    const intervalMs = m.interval === undefined ? d.intervalMs : parseDuration(show(m.interval));
    if (intervalMs === undefined || intervalMs < 1000)
      return {
        ok: false,
        error: `${at}: interval '${show(m.interval).slice(0, 20)}' is not a duration of at least 1s`,
      };
    const noData = (text(m, 'noData') ?? 'fail') as NoDataPolicy;
    if (!['fail', 'inconclusive', 'pass'].includes(noData))
      return { ok: false, error: `${at}: noData '${noData.slice(0, 20)}' is not fail, inconclusive or pass` };
    const spec: MetricSpec = { name, provider, query, condition, failureLimit, intervalMs, measurements, noData };
    const problem = providerFields(spec, m, d, at);
    if (problem) return { ok: false, error: problem };
    out.push(spec);
  }
  return { ok: true, value: out };
}

/** An endpoint override: http(s) for Prometheus, https only where a bearer token is sent (Log Analytics). */
function addressOf(m: Field, at: string, httpToo: boolean): URL | string | undefined {
  const address = text(m, 'address');
  if (!address) return undefined;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return `${at}: address is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && !(httpToo && url.protocol === 'http:'))
    return `${at}: address uses ${url.protocol} (${httpToo ? 'http or https' : 'https'} only)`;
  if (url.username || url.password)
    return `${at}: address contains credentials; use prometheusToken or the Azure connection`;
  return url;
}

/** Keys of one provider given to another would be ignored silently: refused instead. */
const FOREIGN: Record<ProviderKind, string[]> = {
  prometheus: ['workspaceId', 'compartmentId', 'namespace'],
  logAnalytics: ['compartmentId', 'namespace'],
  ociMonitoring: ['address', 'workspaceId'],
};

function providerFields(spec: MetricSpec, m: Field, d: MetricDefaults, at: string): string | undefined {
  const foreign = FOREIGN[spec.provider].find((k) => m[k] !== undefined);
  if (foreign) return `${at}: ${foreign} does not apply to provider ${spec.provider}`;
  if (spec.provider === 'prometheus') {
    const address = addressOf(m, at, true);
    if (typeof address === 'string') return address;
    if (address) spec.address = address;
    else if (d.prometheusUrl) spec.address = d.prometheusUrl;
    else return `${at}: address is required (or set the prometheusUrl input)`;
  } else if (spec.provider === 'logAnalytics') {
    // Default https://api.loganalytics.io; sovereign clouds and private links give theirs.
    const address = addressOf(m, at, false);
    if (typeof address === 'string') return address;
    spec.address = address;
    spec.workspaceId = text(m, 'workspaceId');
    if (!spec.workspaceId || !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(spec.workspaceId)) {
      return `${at}: workspaceId is required: the Log Analytics workspace's id (a GUID, "Workspace ID" in the portal)`;
    }
  } else {
    spec.compartmentId = text(m, 'compartmentId');
    spec.namespace = text(m, 'namespace');
    if (
      !spec.compartmentId ||
      !/^ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$/.test(spec.compartmentId)
    ) {
      return `${at}: compartmentId is required: a compartment OCID (ocid1.compartment.oc1..…)`;
    }
    if (!spec.namespace || !/^[a-z][a-z0-9_]*$/.test(spec.namespace))
      return `${at}: namespace is required: an OCI metric namespace such as oci_lbaas`;
  }
  return undefined;
}
