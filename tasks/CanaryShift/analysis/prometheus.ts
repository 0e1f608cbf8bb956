import { HttpClient } from '../../common/http';
import { SecretRegistry } from '../../common/secrets';

/** `noData` marks an answer that is valid but carries no number (empty vector, NaN): the metric's noData policy decides. */
export type QueryResult = { ok: true; value: number } | { ok: false; error: string; noData?: boolean };

/** Reads one number from an instant-query answer (api/v1/query): a scalar, or a vector with exactly one sample. */
export function singleValue(body: unknown): QueryResult {
  const b = body as {
    status?: string;
    error?: string;
    errorType?: string;
    data?: { resultType?: string; result?: unknown };
  };
  if (b?.status !== 'success')
    return { ok: false, error: `Prometheus answered ${b?.errorType ?? 'an error'}: ${b?.error ?? 'no details'}` };
  const type = b.data?.resultType;
  const result = b.data?.result;
  let raw: unknown;
  if (type === 'scalar' && Array.isArray(result)) raw = result[1];
  else if (type === 'vector' && Array.isArray(result)) {
    if (result.length === 0)
      return {
        ok: false,
        noData: true,
        error:
          'the query returned no data (an empty vector): is the canary receiving traffic, and do the labels match?',
      };
    if (result.length > 1)
      return {
        ok: false,
        error: `the query returned ${result.length} series; aggregate it to one value (e.g. sum(...) or a ratio of sums)`,
      };
    raw = (result[0] as { value?: unknown[] }).value?.[1];
  } else
    return {
      ok: false,
      error: `the query returned a ${type ?? 'missing'} result; use an instant query that yields a scalar or a single-sample vector`,
    };
  const value = Number(raw);
  if (raw === undefined || raw === null || Number.isNaN(value))
    return {
      ok: false,
      noData: raw !== undefined && raw !== null,
      error: `the query value is ${String(raw)} (NaN: e.g. a ratio over zero requests)`,
    };
  return { ok: true, value };
}

/**
 * Prometheus HTTP API client for instant queries; the URL's path prefix is kept
 * (https://host/prometheus → …/prometheus/api/v1/query). The token, if any, was registered as a
 * secret when the inputs were read, and so was the header built from it here.
 */
export class PrometheusClient {
  private readonly auth?: string;

  /**
   * `token` is a static bearer token; `tokenSource` mints one per query (an Entra token for an Azure Monitor
   * workspace, audience https://prometheus.monitor.azure.com), registered as a secret before it is sent.
   */
  constructor(
    private readonly base: URL,
    private readonly http: HttpClient,
    private readonly secrets: SecretRegistry,
    token?: string,
    private readonly tokenSource?: () => Promise<string>,
  ) {
    if (token) this.auth = secrets.register(`Bearer ${token}`) as string;
  }

  private async authorization(): Promise<string | undefined> {
    if (!this.tokenSource) return this.auth;
    const token = await this.tokenSource();
    this.secrets.register(token);
    return this.secrets.register(`Bearer ${token}`);
  }

  async query(promql: string, at: Date): Promise<QueryResult> {
    const url = new URL(`${this.base.pathname.replace(/\/+$/, '')}/api/v1/query`, this.base);
    const form = new URLSearchParams({ query: promql, time: (at.getTime() / 1000).toFixed(3) });
    // POST keeps long queries out of URLs (and proxy logs); Prometheus accepts both.
    const auth = await this.authorization();
    const res = await this.http.fetch(url, {
      method: 'POST',
      idempotent: true,
      body: form,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(auth ? { authorization: auth } : {}),
      },
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, error: `Prometheus answered HTTP ${res.status} with a body that is not JSON` };
    }
    if (!res.ok && (body as { status?: string })?.status !== 'error')
      return { ok: false, error: `Prometheus answered HTTP ${res.status}` };
    return singleValue(body);
  }
}
