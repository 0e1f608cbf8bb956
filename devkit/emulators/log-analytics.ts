/**
 * Log Analytics query API emulator (HTTPS, test CA), modelled on the REST spec
 * azure-rest-api-specs specification/operationalinsights/data-plane/Microsoft.OperationalInsights/stable/v1/
 * OperationalInsights.json: POST /v1/workspaces/{workspaceId}/query with {query, timespan?} (and GET with
 * ?query=), answering queryResults {tables: [{name: 'PrimaryResult', columns: [{name, type}], rows}]} or
 * errorResponse {error: {code, message, innererror}}.
 *
 *   const la = await startLogAnalytics({ workspaceId });          // la.url → a logAnalytics metric's address
 *   la.table('AppRequests', APP_REQUESTS_COLUMNS, rows)            // seed a table (replaces it)
 *   la.appRequests('web-canary', { total: 100, failed: 3 })        // AppRequests rows stamped now
 *   la.throttle(n, retryAfterSeconds) / la.allowClients([appId])   // 429 ThrottledError / 403 for others
 *   la.queries                                                     // every query received, with its status
 *
 * Checks what the service checks: an Entra bearer token (emulator-issued, unexpired) whose audience is
 * https://api.loganalytics.io (401 InvalidTokenError otherwise), a known workspace (404 WorkspaceNotFoundError),
 * a JSON body with a string `query` (400 BadArgumentError), the KQL (400 BadArgumentError with innererror
 * SyntaxError/SYN0002 or SemanticError, as the service nests them). The KQL subset is devkit/emulators/
 * log-analytics/kql.ts: where, extend, project, summarize [by], take/limit; count, countif, sum, avg, min, max,
 * percentile; ago(), now(), todouble/tolong; KQL's long/long integer division. Real NaN is sent as "NaN".
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { validateBearer } from './entra-tokens';
import { KqlError, KqlTable, KqlType, Row, runKql } from './log-analytics/kql';
import { readBody } from './oci-signature';

export const LOG_ANALYTICS_AUDIENCE = 'https://api.loganalytics.io';

export const APP_REQUESTS_COLUMNS: { name: string; type: KqlType }[] = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'AppRoleName', type: 'string' },
  { name: 'Name', type: 'string' },
  { name: 'Success', type: 'bool' },
  { name: 'ResultCode', type: 'string' },
  { name: 'DurationMs', type: 'real' },
];

export interface LogAnalyticsEmulator {
  url: string;
  workspaceId: string;
  table(name: string, columns: { name: string; type: KqlType }[], rows: Row[]): void;
  /** Replaces the role's AppRequests rows with `total` requests stamped now, `failed` of them 500s. */
  appRequests(role: string, counts: { total: number; failed: number; durationMs?: number }): void;
  throttle(requests: number, retryAfterSeconds?: number): void;
  allowClients(ids: string[] | undefined): void;
  queries: { query: string; status: number; appid?: string }[];
  close(): Promise<void>;
}

const errorBody = (code: string, message: string, innererror?: object): object => ({
  error: { message, code, correlationId: crypto.randomUUID(), ...(innererror ? { innererror } : {}) },
});

/** Datetime columns go out as ISO strings, real NaN/Infinity as strings, as the service serialises them. */
function wireValue(v: unknown, type: KqlType): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'datetime') return new Date(Number(v)).toISOString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

export async function startLogAnalytics(opts: { workspaceId?: string } = {}): Promise<LogAnalyticsEmulator> {
  const workspaceId = (opts.workspaceId ?? crypto.randomUUID()).toLowerCase();
  const tables: Record<string, KqlTable> = { AppRequests: { columns: APP_REQUESTS_COLUMNS, rows: [] } };
  let throttleLeft = 0;
  let retryAfter = 1;
  let allowed: string[] | undefined;
  const cert = issueCert({ names: ['api.loganalytics.io', 'localhost', '127.0.0.1'] });
  const server = https.createServer({ cert: cert.cert, key: cert.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emu: LogAnalyticsEmulator = {
    url,
    workspaceId,
    table: (name, columns, rows) => void (tables[name] = { columns, rows }),
    appRequests(role, { total, failed, durationMs = 20 }) {
      const now = Date.now();
      const rows = tables.AppRequests.rows.filter((r) => r.AppRoleName !== role);
      for (let i = 0; i < total; i++) {
        const ok = i >= failed;
        rows.push({
          TimeGenerated: now - i * 10,
          AppRoleName: role,
          Name: 'GET /',
          Success: ok,
          ResultCode: ok ? '200' : '500',
          DurationMs: durationMs,
        });
      }
      tables.AppRequests.rows = rows;
    },
    throttle(n, seconds = 1) {
      throttleLeft = n;
      retryAfter = seconds;
    },
    allowClients: (ids) => (allowed = ids),
    queries: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  server.on('request', (req, res) => {
    void readBody(req).then((raw) => {
      const u = new URL(req.url ?? '/', url);
      // What the log shows of this request, filled in as it is read.
      const seen: { query: string; appid?: string } = { query: '' };
      const send = (status: number, body: object, headers: Record<string, string> = {}): void => {
        emu.queries.push({ ...seen, status });
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ms-request-id': crypto.randomUUID(),
          ...headers,
        });
        res.end(JSON.stringify(body));
      };
      const auth = validateBearer(req.headers.authorization, LOG_ANALYTICS_AUDIENCE);
      if (!auth.ok) {
        if (!req.headers.authorization)
          return send(401, errorBody('AuthorizationRequiredError', 'Valid authentication was not provided'));
        return send(
          401,
          errorBody('InvalidTokenError', `The provided authentication is not valid for this resource (${auth.reason})`),
        );
      }
      const appid = (seen.appid = String(auth.claims.appid));
      const m = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(u.pathname);
      if (!m) return send(404, errorBody('PathNotFoundError', `The requested path does not exist: ${u.pathname}`));
      if (req.method !== 'POST' && req.method !== 'GET')
        return send(405, errorBody('MethodNotAllowedError', `The method ${req.method} is not allowed`));
      if (throttleLeft > 0) {
        throttleLeft--;
        return send(
          429,
          errorBody('ThrottledError', 'Your request has been throttled. Please wait and retry your request.'),
          { 'retry-after': String(retryAfter) },
        );
      }
      if (decodeURIComponent(m[1]).toLowerCase() !== workspaceId)
        return send(
          404,
          errorBody('WorkspaceNotFoundError', `Workspace ${decodeURIComponent(m[1])} could not be found`),
        );
      if (allowed && !allowed.includes(appid))
        return send(
          403,
          errorBody(
            'InsufficientAccessError',
            'The provided credentials have insufficient access to perform the requested operation',
          ),
        );
      let body: { query?: unknown };
      if (req.method === 'POST') {
        if (!/^application\/json/i.test(req.headers['content-type'] ?? ''))
          return send(415, errorBody('UnsupportedMediaTypeError', 'The content type must be application/json'));
        try {
          body = JSON.parse(raw.toString('utf8')) as { query?: unknown };
        } catch {
          return send(400, errorBody('BadArgumentError', 'The request body is not valid JSON'));
        }
      } else body = { query: u.searchParams.get('query') ?? undefined };
      if (typeof body.query !== 'string' || !body.query.trim())
        return send(
          400,
          errorBody('BadArgumentError', 'The request had some invalid properties', {
            code: 'QueryValidationError',
            message: "The 'query' property is required and must be a string",
          }),
        );
      const query = (seen.query = body.query);
      let result: KqlTable;
      try {
        result = runKql(query, tables);
      } catch (err) {
        if (!(err instanceof KqlError)) throw err;
        const inner =
          err.kind === 'syntax'
            ? {
                code: 'SyntaxError',
                message: 'A recognition error occurred in the query.',
                innererror: { code: 'SYN0002', message: err.message, line: err.line, pos: err.pos, token: err.token },
              }
            : {
                code: 'SemanticError',
                message: 'A semantic error occurred.',
                innererror: { code: 'SEM0100', message: err.message },
              };
        return send(400, errorBody('BadArgumentError', 'The request had some invalid properties', inner));
      }
      return send(200, {
        tables: [
          {
            name: 'PrimaryResult',
            columns: result.columns,
            rows: result.rows.map((r) => result.columns.map((c) => wireValue(r[c.name], c.type))),
          },
        ],
      });
    });
  });
  return emu;
}
