/**
 * Prometheus HTTP API emulator (https://prometheus.io/docs/prometheus/latest/querying/api/): instant
 * queries at /api/v1/query by GET (query string) or POST (application/x-www-form-urlencoded), answers
 * in the API's envelope ({status, data: {resultType, result}} or {status: "error", errorType, error}).
 *
 *   const prom = await PrometheusEmulator.start({ bearerToken?, basicAuth?: { user, password }, pathPrefix?: '/prometheus' });
 *   prom.script('sum(rate(ok[1m]))', [0.999, 0.97, 'empty', 'NaN', { series: 2 }, { error: 'bad_data' }, { status: 503 }]);
 *     // each query takes the next entry; the last one repeats. Unscripted queries return an empty vector.
 *   prom.queries  — every query received: {query, time, method}
 *   prom.url      — base URL (with the path prefix); await prom.close()
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export type ScriptedValue =
  | number
  | 'empty'
  | 'NaN'
  | 'scalar'
  | { scalar: number }
  | { series: number; value?: number }
  | { error: 'bad_data' | 'timeout' | 'execution' }
  | { status: number };

export interface PrometheusOptions {
  /** As an authenticating proxy in front of Prometheus (Azure Monitor managed Prometheus, Grafana Cloud) checks it. */
  bearerToken?: string;
  basicAuth?: { user: string; password: string };
  pathPrefix?: string;
}

export interface ReceivedQuery {
  query: string;
  time?: string;
  method: string;
}

export class PrometheusEmulator {
  readonly queries: ReceivedQuery[] = [];
  private readonly scripts: { match: string | RegExp; values: ScriptedValue[]; next: number }[] = [];
  url = '';

  private constructor(
    private readonly server: http.Server,
    private readonly opts: PrometheusOptions,
  ) {}

  static async start(opts: PrometheusOptions = {}): Promise<PrometheusEmulator> {
    // eslint-disable-next-line prefer-const -- assigned once, after the server whose handler closes over it
    let self!: PrometheusEmulator;
    const server = http.createServer((req, res) => void self.handle(req, res));
    self = new PrometheusEmulator(server, opts);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${opts.pathPrefix ?? ''}`;
    return self;
  }

  script(match: string | RegExp, values: ScriptedValue[]): void {
    this.scripts.unshift({ match, values, next: 0 });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = this.opts.pathPrefix ?? '';
    if (this.opts.bearerToken && req.headers.authorization !== `Bearer ${this.opts.bearerToken}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('Unauthorized\n');
      return;
    }
    if (this.opts.basicAuth) {
      const want = `Basic ${Buffer.from(`${this.opts.basicAuth.user}:${this.opts.basicAuth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="prometheus"' }).end('Unauthorized\n');
        return;
      }
    }
    if (url.pathname === `${prefix}/-/ready`) {
      res.writeHead(200).end('Prometheus Server is Ready.\n');
      return;
    }
    if (url.pathname !== `${prefix}/api/v1/query`) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    let params = url.searchParams;
    if (req.method === 'POST') {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        this.send(res, 400, {
          status: 'error',
          errorType: 'bad_data',
          error: 'invalid parameter "query": unsupported content type',
        });
        return;
      }
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    } else if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    const query = params.get('query');
    if (!query) {
      this.send(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:1: parse error: no expression found in input',
      });
      return;
    }
    const time = params.get('time') ?? undefined;
    if (time !== undefined && Number.isNaN(Number(time)) && Number.isNaN(Date.parse(time))) {
      this.send(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: `invalid parameter "time": cannot parse "${time}" to a valid timestamp`,
      });
      return;
    }
    this.queries.push({ query, time, method: req.method ?? 'GET' });
    const script = this.scripts.find((s) => (typeof s.match === 'string' ? s.match === query : s.match.test(query)));
    const value: ScriptedValue = script ? script.values[Math.min(script.next++, script.values.length - 1)] : 'empty';
    const ts = time !== undefined && !Number.isNaN(Number(time)) ? Number(time) : Date.now() / 1000;
    const sample = (v: number, i = 0): unknown => ({
      metric: { job: 'canary', instance: `10.0.0.${i + 1}:8080` },
      value: [ts, String(v)],
    });
    if (typeof value === 'number')
      return this.send(res, 200, { status: 'success', data: { resultType: 'vector', result: [sample(value)] } });
    if (value === 'empty')
      return this.send(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } });
    if (value === 'NaN')
      return this.send(res, 200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [ts, 'NaN'] }] },
      });
    if (value === 'scalar')
      return this.send(res, 200, { status: 'success', data: { resultType: 'scalar', result: [ts, '1'] } });
    if ('scalar' in value)
      return this.send(res, 200, {
        status: 'success',
        data: { resultType: 'scalar', result: [ts, String(value.scalar)] },
      });
    if ('series' in value)
      return this.send(res, 200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: Array.from({ length: value.series }, (_, i) => sample(value.value ?? 1, i)),
        },
      });
    if ('error' in value) {
      const code = value.error === 'bad_data' ? 400 : value.error === 'timeout' ? 503 : 422;
      return this.send(res, code, {
        status: 'error',
        errorType: value.error,
        error: value.error === 'bad_data' ? 'invalid parameter "query": parse error' : `query ${value.error}`,
      });
    }
    this.send(res, value.status, { status: 'error', errorType: 'internal', error: `HTTP ${value.status}` });
  }
}
