/**
 * OCI Database API emulator (Autonomous Databases) over HTTPS with the test CA, for the real
 * oci-database / oci-workrequests / oci-secrets SDK clients pointed at it via the connection's
 * apiEndpoint.
 *
 * Wire behaviour, as the API reference states it:
 * - every request must carry a valid OCI signature (devkit/emulators/oci-signature.ts) → else 401
 *   NotAuthenticated;
 * - /20160918/autonomousDatabases: POST create (opc-retry-token replays the first answer for 24 h),
 *   GET list (compartmentId required, displayName / lifecycleState filters, limit + page →
 *   opc-next-page), GET/PUT/DELETE by id, POST /{id}/actions/start|stop|generateWallet (a real zip, new
 *   keystore bytes on every call, as OCI re-encrypts them), GET/PUT /{id}/wallet (state, timeRotated; rotate);
 *   /20160918/autonomousDatabaseBackups POST + GET by id; /20160918/workRequests/{id}[/errors];
 *   /20190301/secretbundles/{secretId} (OCI Secrets, for adminPasswordSecretId);
 * - field rules → 400 InvalidParameter / LimitExceeded; wrong lifecycle state → 409 IncorrectState;
 *   unknown ids → 404 NotAuthorizedOrNotFound; displayName is NOT unique (as in OCI), dbName is.
 *
 * Test API:
 *   const oci = await OciDatabaseEmulator.start({ delays? });  oci.url → apiEndpoint
 *   oci.store (databases, backups, workRequests, history, failNext), oci.requests (method, path, status, headers)
 *   oci.injectFault({ status, code?, count?, method?, path?, afterProcessing? })   oci.seedSecret(ocid, value)   await oci.close()
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { readBody, sendOciError, verifyOciSignature } from './oci-signature';
import { DEFAULT_DELAYS, DbStore, Delays } from './oci-database/store';
import { OciFault, Reply, actOnDb, createBackup, createDb, deleteDb, render, updateDb } from './oci-database/routes';

export interface OciFaultSpec {
  status: number;
  code?: string;
  count?: number;
  method?: string;
  path?: RegExp;
  /** Carry the request out, then answer with the fault: a response lost on the way back. */
  afterProcessing?: boolean;
}

export interface OciRequestLog {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export class OciDatabaseEmulator {
  readonly store: DbStore;
  readonly requests: OciRequestLog[] = [];
  readonly secrets = new Map<string, string>();
  private readonly faults: OciFaultSpec[] = [];
  private readonly retryTokens = new Map<string, { key: string; reply: Reply }>();
  url = '';

  private constructor(
    private readonly server: https.Server,
    delays: Delays,
  ) {
    this.store = new DbStore('eu-frankfurt-1', delays);
  }

  static async start(opts: { delays?: Partial<Delays> } = {}): Promise<OciDatabaseEmulator> {
    const { cert, key } = issueCert();
    const server = https.createServer({ cert, key });
    const emu = new OciDatabaseEmulator(server, { ...DEFAULT_DELAYS, ...opts.delays });
    server.on('request', (req, res) => void emu.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    emu.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return emu;
  }

  injectFault(f: OciFaultSpec): void {
    this.faults.push({ count: 1, ...f });
  }

  seedSecret(secretId: string, value: string): void {
    this.secrets.set(secretId, value);
  }

  async close(): Promise<void> {
    this.store.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://emulator');
    const log: OciRequestLog = { method, path: url.pathname, status: 0, headers: req.headers };
    this.requests.push(log);
    const send = (reply: Reply): void => {
      log.status = reply.status;
      const headers = { 'opc-request-id': crypto.randomUUID().replace(/-/g, '').toUpperCase(), ...reply.headers };
      if (Buffer.isBuffer(reply.body)) {
        res.writeHead(reply.status, {
          'content-type': 'application/octet-stream',
          'content-length': String(reply.body.length),
          ...headers,
        });
        res.end(reply.body);
      } else if (reply.body === undefined) {
        res.writeHead(reply.status, headers);
        res.end();
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(reply.body));
      }
    };
    try {
      const raw = await readBody(req);
      const auth = verifyOciSignature(req, raw);
      if (!auth.ok) throw new OciFault(401, 'NotAuthenticated', auth.message);
      const fault = this.faults.find(
        (f) => f.count! > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)),
      );
      if (fault) fault.count!--;
      const injected = (): OciFault => {
        const code =
          fault!.code ??
          (fault!.status === 429
            ? 'TooManyRequests'
            : fault!.status === 409
              ? 'IncorrectState'
              : 'InternalServerError');
        return new OciFault(fault!.status, code, `Injected ${fault!.status} ${code}.`);
      };
      if (fault && !fault.afterProcessing) throw injected();
      const body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      const token = req.headers['opc-retry-token'] as string | undefined;
      const replayKey = `${method} ${url.pathname}`;
      const prior = token ? this.retryTokens.get(token) : undefined;
      if (prior) {
        if (prior.key !== replayKey)
          throw new OciFault(409, 'RetryTokenReused', 'The retry token was used for a different request.');
        return send(prior.reply);
      }
      const reply = this.route(method, url, body);
      if (token && reply.status < 300) this.retryTokens.set(token, { key: replayKey, reply });
      if (fault?.afterProcessing) throw injected();
      send(reply);
    } catch (err) {
      const f = err instanceof OciFault ? err : new OciFault(500, 'InternalServerError', String(err));
      log.status = f.status;
      sendOciError(res, f.status, f.code, f.message);
    }
  }

  private route(method: string, url: URL, body: Record<string, unknown>): Reply {
    const p = url.pathname.split('/').filter(Boolean);
    const notFound = (what: string): OciFault =>
      new OciFault(404, 'NotAuthorizedOrNotFound', `${what} not found or not authorized.`);
    if (p[0] === '20190301' && p[1] === 'secretbundles' && p[2] && method === 'GET') {
      const value = this.secrets.get(p[2]);
      if (value === undefined) throw notFound(`Secret ${p[2]}`);
      return {
        status: 200,
        body: {
          secretId: p[2],
          versionNumber: 1,
          stages: ['CURRENT', 'LATEST'],
          secretBundleContent: { contentType: 'BASE64', content: Buffer.from(value).toString('base64') },
        },
      };
    }
    if (p[0] !== '20160918') throw notFound(url.pathname);
    const [, collection, id, sub, action] = p;
    const store = this.store;
    if (collection === 'autonomousDatabases') {
      if (!id && method === 'POST') return createDb(store, body);
      if (!id && method === 'GET') return this.list(url);
      const db = id ? store.databases.get(id) : undefined;
      if (!db) throw notFound(`Autonomous Database ${id}`);
      if (!sub && method === 'GET')
        return { status: 200, body: render(store, db), headers: { etag: `"${db.lifecycleState}"` } };
      if (!sub && method === 'PUT') return updateDb(store, db, body);
      if (!sub && method === 'DELETE') return deleteDb(store, db);
      if (sub === 'actions' && action && method === 'POST') return actOnDb(store, db, action, body);
      // GetAutonomousDatabaseWallet / UpdateAutonomousDatabaseWallet (shouldRotate: a new wallet, timeRotated moves).
      if (sub === 'wallet' && method === 'GET')
        return { status: 200, body: { lifecycleState: 'ACTIVE', timeRotated: db.walletRotated ?? null } };
      if (sub === 'wallet' && method === 'PUT') {
        if (body.shouldRotate === true) db.walletRotated = new Date().toISOString();
        return { status: 200, body: {}, headers: { 'opc-work-request-id': store.newId('workrequest') } };
      }
    }
    if (collection === 'autonomousDatabaseBackups') {
      if (!id && method === 'POST') return createBackup(store, body);
      const backup = id ? store.backups.get(id) : undefined;
      if (backup && method === 'GET') return { status: 200, body: backup };
      throw notFound(`Autonomous Database backup ${id}`);
    }
    if (collection === 'workRequests' && id && method === 'GET') {
      const wr = store.workRequests.get(id);
      if (!wr) throw notFound(`Work request ${id}`);
      if (sub === 'errors') return { status: 200, body: wr.errors };
      const { errors: _errors, ...rest } = wr;
      return { status: 200, body: rest };
    }
    throw notFound(`${method} ${url.pathname}`);
  }

  private list(url: URL): Reply {
    const q = url.searchParams;
    const compartmentId = q.get('compartmentId');
    if (!compartmentId) throw new OciFault(400, 'MissingParameter', 'compartmentId is required.');
    const limit = Math.min(Number(q.get('limit') ?? 100) || 100, 1000);
    const start = Number(q.get('page') ?? 0) || 0;
    const all = [...this.store.databases.values()].filter(
      (d) =>
        d.compartmentId === compartmentId &&
        (!q.get('displayName') || d.displayName === q.get('displayName')) &&
        (!q.get('lifecycleState') || d.lifecycleState === q.get('lifecycleState')),
    );
    const page = all.slice(start, start + limit).map((d) => render(this.store, d));
    return {
      status: 200,
      body: page,
      headers: start + limit < all.length ? { 'opc-next-page': String(start + limit) } : {},
    };
  }
}
