/**
 * OCI Monitoring emulator: SummarizeMetricsData (POST /20180401/metrics/actions/summarizeMetricsData?
 * compartmentId=…, body SummarizeMetricsDataDetails {namespace, query, startTime?, endTime?, resolution?}),
 * answering a JSON array of MetricData {namespace, compartmentId, name, dimensions, metadata, resolution,
 * aggregatedDatapoints: [{timestamp, value}]}, as oci-monitoring's model (lib/model/metric-data.ts) reads it.
 *
 *   const mon = await startOciMonitoring({ compartments: [COMPARTMENT] });  ociEndpoint(mon.url) → the connection
 *   mon.post({ namespace, compartmentId, name, dimensions, value, at? })    // a raw data point (PostMetricData)
 *   mon.storm(n, retryAfterSeconds?)                                          // next n requests: 429 TooManyRequests
 *   mon.requests                                                              // {query, status} of each call
 *
 * Checks what the service checks: the OCI request signature (oci-signature.ts; 401 NotAuthenticated), the
 * compartmentId parameter (400 MissingParameter) and that it exists (404 NotAuthorizedOrNotFound), the body's
 * namespace and query (400 InvalidParameter), startTime before endTime, and the MQL (devkit/emulators/
 * oci-monitoring/mql.ts subset; 400 InvalidParameter naming the position). Streams are one per distinct
 * dimension set (grouping() merges them, groupBy(d) by d); data points are one per interval window, stamped at
 * the window's start, only where raw points exist; defaults: endTime now, startTime 3 h before.
 */
import * as https from 'node:https';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { readBody, sendOciError, verifyOciSignature } from './oci-signature';
import { MqlError, MqlQuery, parseMql, statistic } from './oci-monitoring/mql';

export interface RawPoint {
  namespace: string;
  compartmentId: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
  /** Epoch ms; default now. */
  at?: number;
}

export interface OciMonitoringEmulator {
  url: string;
  post(point: RawPoint): void;
  storm(requests: number, retryAfterSeconds?: number): void;
  requests: { query?: string; status: number }[];
  close(): Promise<void>;
}

const PATH = '/20180401/metrics/actions/summarizeMetricsData';

/** The streams and aggregated points the query selects in [start, end). */
export function summarize(
  points: RawPoint[],
  q: MqlQuery,
  namespace: string,
  compartmentId: string,
  start: number,
  end: number,
): object[] {
  const selected = points.filter(
    (p) =>
      p.namespace === namespace &&
      p.compartmentId === compartmentId &&
      p.name === q.metric &&
      (p.at ?? 0) >= start &&
      (p.at ?? 0) < end &&
      q.filters.every((f) => (p.dimensions[f.dim] === f.value) === (f.op === '=')),
  );
  const streams = new Map<string, { dimensions: Record<string, string>; points: RawPoint[] }>();
  for (const p of selected) {
    const dims = q.grouping ? Object.fromEntries(q.grouping.by.map((d) => [d, p.dimensions[d] ?? ''])) : p.dimensions;
    const key = JSON.stringify(Object.entries(dims).sort());
    const s = streams.get(key) ?? { dimensions: dims, points: [] };
    s.points.push(p);
    streams.set(key, s);
  }
  return [...streams.values()].map((s) => {
    const windows = new Map<number, { t: number; v: number }[]>();
    for (const p of s.points) {
      const w = Math.floor((p.at as number) / q.intervalMs) * q.intervalMs;
      windows.set(w, [...(windows.get(w) ?? []), { t: p.at as number, v: p.value }]);
    }
    return {
      namespace,
      compartmentId,
      name: q.metric,
      dimensions: s.dimensions,
      metadata: {},
      resolution: `${q.intervalMs / 60_000}m`,
      aggregatedDatapoints: [...windows.entries()]
        .sort(([a], [b]) => a - b)
        .map(([w, pts]) => ({ timestamp: new Date(w).toISOString(), value: statistic(q, pts) })),
    };
  });
}

export async function startOciMonitoring(opts: { compartments: string[] }): Promise<OciMonitoringEmulator> {
  const points: RawPoint[] = [];
  let storm = { left: 0, retryAfter: 1 };
  const cert = issueCert({ names: ['telemetry.eu-frankfurt-1.oraclecloud.com', 'localhost', '127.0.0.1'] });
  const server = https.createServer({ cert: cert.cert, key: cert.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const emu: OciMonitoringEmulator = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    post: (p) => void points.push({ ...p, at: p.at ?? Date.now() }),
    storm: (n, retryAfter = 1) => (storm = { left: n, retryAfter }),
    requests: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const u = new URL(req.url ?? '/', emu.url);
    const seen: { query?: string } = {};
    const fail = (status: number, code: string, message: string, headers?: Record<string, string>): void => {
      emu.requests.push({ ...seen, status });
      sendOciError(res, status, code, message, headers);
    };
    const check = verifyOciSignature(req, body);
    if (!check.ok) return fail(401, 'NotAuthenticated', check.message);
    if (req.method !== 'POST' || u.pathname !== PATH)
      return fail(404, 'NotAuthorizedOrNotFound', `${req.method} ${u.pathname} is not emulated.`);
    if (storm.left > 0) {
      storm.left--;
      return fail(429, 'TooManyRequests', 'Too many requests for the tenancy.', {
        'retry-after': String(storm.retryAfter),
      });
    }
    const compartmentId = u.searchParams.get('compartmentId');
    if (!compartmentId) return fail(400, 'MissingParameter', 'Missing required parameter: compartmentId.');
    let details: { namespace?: unknown; query?: unknown; startTime?: unknown; endTime?: unknown };
    try {
      details = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(400, 'InvalidParameter', 'The request body is not valid JSON.');
    }
    const query = (seen.query = typeof details.query === 'string' ? details.query : undefined);
    if (typeof details.namespace !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(details.namespace))
      return fail(400, 'InvalidParameter', 'namespace is required and must start with a letter (letters, digits, _).');
    if (!query) return fail(400, 'InvalidParameter', 'query is required.');
    const end = details.endTime === undefined ? Date.now() : Date.parse(String(details.endTime));
    const start = details.startTime === undefined ? end - 3 * 3_600_000 : Date.parse(String(details.startTime));
    if (Number.isNaN(start) || Number.isNaN(end))
      return fail(400, 'InvalidParameter', 'startTime and endTime must be RFC 3339 timestamps.');
    if (start >= end) return fail(400, 'InvalidParameter', 'startTime must be before endTime.');
    let mql: MqlQuery;
    try {
      mql = parseMql(query);
    } catch (err) {
      if (err instanceof MqlError) return fail(400, 'InvalidParameter', err.message);
      throw err;
    }
    if (!opts.compartments.includes(compartmentId))
      return fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
    const out = summarize(points, mql, details.namespace, compartmentId, start, end);
    emu.requests.push({ query, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json', 'opc-request-id': `mon-${emu.requests.length}` });
    res.end(JSON.stringify(out));
  }
  return emu;
}
