/**
 * Serves the built hub outside Azure DevOps (SDK.init never resolves outside an iframe, so the
 * pages run in their explicit preview mode) with a fake Azure DevOps REST surface fed with
 * ledger records. Used by `npm run demo`, the browser tests and bench/hub-load.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { LedgerRecord } from '../tasks/common/ledger';
import { ExtraBuild, FakeAdo, RecordedTimeline } from '../devkit/ado-host/fake-ado';
import { STAGE_DIR } from '../devkit/project';
import { THEMES } from '../devkit/ado-host/themes';
import type { Gates } from '../devkit/ado-host/gates';

export interface HubPreviewOptions {
  records: LedgerRecord[];
  timelines?: Record<string, RecordedTimeline>;
  /** Added before every API answer, to make request counts visible in timings. */
  latencyMs?: number;
  port?: number;
  /** Folder with the built hub (hub.html, run-tab.html, assets); default build/extension/hub. */
  hubDir?: string;
  inProgress?: number[];
  /** Runs attached as given (a PR build with a forged record). */
  extraBuilds?: ExtraBuild[];
  /** Untagged CI runs queued after every release run. */
  unrelatedRuns?: number;
  throttle?: { everyNth: number; retryAfterSeconds: number };
  failListings?: { status: number; times: number };
  /** Azure DevOps mode tests: Build/Environments calls must carry `Authorization: Bearer <token>`. */
  requireToken?: string;
  /** Approvals and checks that live across publish() calls (the demo's approvals). */
  gates?: Gates;
}

/** What publish() replaces while the server runs: the runs a pipeline has produced so far. */
export type PreviewData = Pick<HubPreviewOptions, 'records' | 'timelines' | 'inProgress'>;

export interface HubPreview {
  /** The hub page in preview mode. */
  url: string;
  /** The build results tab for one run. */
  runTabUrl(buildId: number): string;
  origin: string;
  /** API requests served so far (static files excluded). */
  requestCount(): number;
  /** Those requests, as "METHOD path?query", since the last reset. */
  requestLog(): string[];
  resetCount(): void;
  stop(): Promise<void>;
  readonly ado: FakeAdo;
  /** Serves these runs from now on (as Azure DevOps would while a pipeline runs). */
  publish(data: PreviewData): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};
const COLLECTION = 'contoso';
const PROJECT = 'shop';

export async function startHubPreview(options: HubPreviewOptions): Promise<HubPreview> {
  const hubDir = path.resolve(options.hubDir ?? path.join(STAGE_DIR, 'hub'));
  if (!fs.existsSync(path.join(hubDir, 'hub.html'))) {
    throw new Error(`The hub is not built in ${hubDir}: run npm run build (or buildHub(dir)) first.`);
  }
  const fakeAdo = (data: PreviewData): FakeAdo =>
    new FakeAdo({
      records: data.records,
      timelines: data.timelines,
      inProgress: data.inProgress,
      throttle: options.throttle,
      failListings: options.failListings,
      extraBuilds: options.extraBuilds,
      unrelatedRuns: options.unrelatedRuns,
      gates: options.gates,
    });
  let ado = fakeAdo(options);
  let count = 0;
  let log: string[] = [];
  const latency = options.latencyMs ?? 0;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const origin = `http://${req.headers.host}`;
      if (url.pathname === '/_preview/config.json') {
        send(
          res,
          200,
          { 'content-type': 'application/json' },
          JSON.stringify({
            collectionUrl: `${origin}/${COLLECTION}/`,
            project: PROJECT,
            publisher: 'multicloud-devsecops',
            extension: 'multicloud-devsecops',
          }),
        );
        return;
      }
      const theme = /^\/_preview\/theme\/([a-z-]+)\.json$/.exec(url.pathname);
      if (theme) {
        const data = THEMES[theme[1]];
        send(
          res,
          data ? 200 : 404,
          { 'content-type': 'application/json' },
          JSON.stringify(data ?? { message: 'no such theme' }),
        );
        return;
      }
      if (url.pathname.startsWith(`/${COLLECTION}/`) && url.pathname.includes('/_apis/')) {
        count++;
        log.push(`${req.method} ${url.pathname}${url.search}`);
        if (options.requireToken && req.headers.authorization !== `Bearer ${options.requireToken}`) {
          send(
            res,
            401,
            { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
            JSON.stringify({ message: 'TF400813: The user is not authorized to access this resource.' }),
          );
          return;
        }
        const answer = ado.handle(
          req.method ?? 'GET',
          url.pathname.slice(COLLECTION.length + 2),
          url.searchParams,
          Buffer.concat(chunks).toString('utf8'),
          /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
        );
        setTimeout(() => send(res, answer.status, answer.headers, answer.body), latency);
        return;
      }
      serveFile(res, hubDir, url.pathname);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/hub.html?preview=/_preview/config.json`,
    runTabUrl: (id) => `${origin}/run-tab.html?preview=/_preview/config.json&buildId=${id}`,
    requestCount: () => count,
    requestLog: () => [...log],
    resetCount: () => {
      count = 0;
      log = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    get ado() {
      return ado;
    },
    publish: (data) => {
      ado = fakeAdo(data);
    },
  };
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function serveFile(res: http.ServerResponse, root: string, pathname: string): void {
  const rel = decodeURIComponent(pathname === '/' ? '/hub.html' : pathname);
  const file = path.resolve(root, `.${rel}`);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    send(res, 404, { 'content-type': 'text/plain' }, 'not found');
    return;
  }
  send(res, 200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }, fs.readFileSync(file));
}

/** Ledger records a task run wrote (…/multicloud-devsecops/<Task>-<id>.json), e.g. from the demo. */
export function readLedgerFiles(dir: string): LedgerRecord[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.json')) files.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return files
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as LedgerRecord)
    .filter((r) => r && r.schema === 'multicloud-devsecops.ledger/v1');
}

if (require.main === module) {
  // node out/scripts/hub-preview.js [ledger-dir] [--port N] [--latency MS]: serve build/extension/hub.
  const args = process.argv.slice(2);
  const flag = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const records = dir ? readLedgerFiles(path.resolve(dir)) : [];
  if (!dir)
    console.warn('No ledger folder given: serving an empty ledger. Pass the folder the tasks wrote their records to.');
  startHubPreview({ records, port: flag('--port'), latencyMs: flag('--latency') }).then(
    (p) => console.log(`Promotions hub preview (${records.length} records): ${p.url}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
