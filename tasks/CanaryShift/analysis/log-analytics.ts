import { HttpClient } from '../../common/http';
import { SecretRegistry } from '../../common/secrets';
import { QueryResult } from './prometheus';

/** The public cloud's query endpoint; sovereign clouds (api.loganalytics.us, .azure.cn) are given as `address`. */
export const LOG_ANALYTICS_URL = 'https://api.loganalytics.io';

/**
 * The Entra scope of the query API: the endpoint's own host for the Azure clouds' endpoints, else (a private
 * link or proxy in front of the public API) the public audience.
 */
export function logAnalyticsScope(address: URL): string {
  const host = address.hostname.toLowerCase();
  return /^api\.loganalytics\.(io|us|azure\.cn)$/.test(host)
    ? `https://${host}/.default`
    : `${LOG_ANALYTICS_URL}/.default`;
}

interface Column {
  name?: string;
  type?: string;
}
interface Table {
  name?: string;
  columns?: Column[];
  rows?: unknown[][];
}
/** errorInfo of the REST spec: code, message, innererror (nested), details. */
interface ErrorInfo {
  code?: string;
  message?: string;
  innererror?: ErrorInfo;
  details?: { code?: string; message?: string }[];
}

const NUMERIC = new Set(['real', 'long', 'int', 'decimal', 'double']);

/** "BadArgumentError: The request had some invalid properties; SyntaxError: …; SYN0002: Query could not be parsed…". */
export function describeLogAnalyticsError(e: ErrorInfo | undefined): string {
  const parts: string[] = [];
  for (let cur = e, depth = 0; cur && depth < 5; cur = cur.innererror, depth++) {
    if (cur.code || cur.message) parts.push(`${cur.code ?? 'Error'}: ${cur.message ?? ''}`.trim());
  }
  return parts.join('; ') || 'no details';
}

/**
 * One number from a query answer (OperationalInsights.json v1: queryResults → tables[] of columns/rows). The
 * first table (PrimaryResult) must have one row; its value is the column named `result`, or its only numeric
 * column. No row, or a null/NaN value, is "no data" (e.g. a ratio over zero requests); more rows ask for an
 * aggregation. Numbers of type decimal arrive as strings, NaN and infinities as strings too.
 */
export function tableValue(body: unknown): QueryResult {
  const b = body as { tables?: Table[]; error?: ErrorInfo };
  const table = b?.tables?.[0];
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows))
    return { ok: false, error: 'the answer has no result table' };
  // A partial result (200 with an error): the numbers may be missing rows, so they are not judged.
  if (b.error) return { ok: false, error: `partial result: ${describeLogAnalyticsError(b.error)}` };
  if (table.rows.length === 0)
    return {
      ok: false,
      noData: true,
      error: 'the query returned no rows: is the canary receiving traffic, and do the filters match?',
    };
  if (table.rows.length > 1)
    return {
      ok: false,
      error: `the query returned ${table.rows.length} rows; summarize it to one row (e.g. | summarize result = …)`,
    };
  let index = table.columns.findIndex((c) => c.name === 'result');
  if (index < 0) {
    const numeric = table.columns.flatMap((c, i) => (NUMERIC.has(String(c.type)) ? [i] : []));
    if (numeric.length !== 1)
      return {
        ok: false,
        error: `the result has ${numeric.length} numeric columns; name the value column result (| project result = …)`,
      };
    index = numeric[0];
  }
  const raw = table.rows[0][index];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() ? Number(raw) : Number.NaN;
  if (raw === null || raw === undefined || Number.isNaN(value))
    return { ok: false, noData: true, error: `the query value is ${String(raw)} (e.g. a ratio over zero requests)` };
  return { ok: true, value };
}

/**
 * The Log Analytics query API (POST {address}/v1/workspaces/{id}/query, body {query}): KQL over a
 * workspace, which also holds a workspace-based Application Insights resource's tables (AppRequests…). Every
 * request carries an Entra token minted by `tokenSource`, registered as a secret before it is sent.
 */
export class LogAnalyticsClient {
  constructor(
    private readonly address: URL,
    private readonly http: HttpClient,
    private readonly secrets: SecretRegistry,
    private readonly tokenSource: (scope: string) => Promise<string>,
  ) {}

  async query(workspaceId: string, kql: string): Promise<QueryResult> {
    const base = this.address.pathname.replace(/\/+$/, '');
    const url = new URL(`${base}/v1/workspaces/${encodeURIComponent(workspaceId)}/query`, this.address);
    const token = await this.tokenSource(logAnalyticsScope(this.address));
    this.secrets.register(token);
    const auth = this.secrets.register(`Bearer ${token}`) as string;
    const res = await this.http.fetch(url, {
      method: 'POST',
      // A query reads: repeating it after a lost answer is harmless.
      idempotent: true,
      body: JSON.stringify({ query: kql }),
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: auth },
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, error: `Log Analytics answered HTTP ${res.status} with a body that is not JSON` };
    }
    if (!res.ok)
      return {
        ok: false,
        error: `Log Analytics answered HTTP ${res.status}: ${describeLogAnalyticsError((body as { error?: ErrorInfo })?.error)}`,
      };
    return tableValue(body);
  }
}
