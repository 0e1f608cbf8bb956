/**
 * OCI Vault emulator: the secret management API (/20180608, oci-vault VaultsClient) and the secret retrieval
 * API (/20190301, oci-secrets SecretsClient) on one HTTPS server, so one `apiEndpoint` override serves both.
 *
 *   const oci = await startOciVault({ vaults: [{ id, compartmentId, keyIds: [keyId] }] });
 *   ociEndpoint(oci.url)                      // the OCI connection for the task (devkit/support/oci-test-key.ts)
 *   oci.secretByName(vaultId, name)           // state, versions (content as base64), stages
 *   oci.scheduleDeletion(id) / oci.seed(...)  // arrange PENDING_DELETION, existing secrets
 *   oci.storm(n, op?)                         // next n (matching) requests get 429 TooManyRequests
 *   oci.fault({ op, name, status, code, times }) // fail matching calls (partial failures)
 *
 * Every request must carry a valid OCI signature (401 NotAuthenticated otherwise). CreateSecret checks required
 * fields, base64 content, vault and key, 409 on a name already used in the vault (any state but DELETED) and
 * honours opc-retry-token; UpdateSecret needs an ACTIVE secret (409 IncorrectState) and adds a version
 * (CURRENT moves, the old one becomes PREVIOUS); bundles of secrets pending deletion are refused.
 * Tags, `metadata` and `secretRules` are kept as sent (UpdateSecret replaces each map it carries); a
 * SECRET_EXPIRY_RULE's timeOfAbsoluteExpiry must lie 1 to 365 days ahead and its secretVersionExpiryInterval be
 * P1D..P90D (400 InvalidParameter otherwise: Vault API SecretExpiryRule). ScheduleSecretDeletion needs an
 * ACTIVE secret (409 IncorrectState) and a timeOfDeletion 1 to 30 days ahead, 30 days when omitted.
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { readBody, sendOciError, verifyOciSignature } from './oci-signature';

export interface OciVaultDef {
  id: string;
  compartmentId: string;
  keyIds: string[];
}
export interface OciSecretVersion {
  versionNumber: number;
  content: string;
  stages: string[];
  timeCreated: string;
}
export interface OciSecret {
  id: string;
  compartmentId: string;
  vaultId: string;
  keyId: string;
  secretName: string;
  description?: string;
  lifecycleState: string;
  timeCreated: string;
  timeOfDeletion?: string;
  freeformTags: Record<string, string>;
  metadata?: Record<string, unknown>;
  secretRules?: Record<string, unknown>[];
  versions: OciSecretVersion[];
  /** A transitional state (CREATING, UPDATING, CANCELLING_DELETION) ends at this time. */
  settlesAt?: number;
  /** Or (transitionRequests) after this many more requests naming the secret have seen it. */
  requestsLeft?: number;
}
export type OciOperation =
  | 'CreateSecret'
  | 'ListSecrets'
  | 'GetSecret'
  | 'UpdateSecret'
  | 'CancelSecretDeletion'
  | 'ScheduleSecretDeletion'
  | 'GetSecretBundle'
  | 'GetSecretBundleByName';
/** `afterApply`: the operation takes effect, then the error is returned (a response lost on the way back). */
export interface OciFault {
  op: OciOperation;
  name?: string;
  status: number;
  code: string;
  message?: string;
  times?: number;
  afterApply?: boolean;
}

export interface OciVaultEmulator {
  url: string;
  secrets: OciSecret[];
  secretByName(vaultId: string, name: string): OciSecret | undefined;
  seed(s: {
    vaultId: string;
    compartmentId: string;
    keyId: string;
    name: string;
    content: string;
    state?: string;
    freeformTags?: Record<string, string>;
  }): OciSecret;
  scheduleDeletion(id: string): void;
  storm(requests: number, op?: OciOperation): void;
  fault(f: OciFault): void;
  requests: { op: OciOperation | 'Unknown'; status: number; retryToken?: string; secretName?: string }[];
  tooManyRequests: number;
  close(): Promise<void>;
}

const now = (): string => new Date().toISOString();
const ocid = (kind: string): string =>
  `ocid1.${kind}.oc1.eu-frankfurt-1.amaaaaaa${crypto.randomBytes(20).toString('hex')}`;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * `transitionMs`: how long CREATING, UPDATING and CANCELLING_DELETION last (0: until the next request).
 * `transitionRequests`: instead, how many requests naming the secret (by id) still see the transitional state;
 * the next one sees ACTIVE. Tests that assert on polls or on a 409 use it: counted requests hold on a slow
 * machine, where a few hundred milliseconds may pass between two requests.
 */
export async function startOciVault(opts: {
  vaults: OciVaultDef[];
  pageSize?: number;
  transitionMs?: number;
  transitionRequests?: number;
}): Promise<OciVaultEmulator> {
  const secrets: OciSecret[] = [];
  const retryTokens = new Map<string, { bodyHash: string; secret: OciSecret }>();
  let storm = { left: 0, op: undefined as OciOperation | undefined };
  const faults: OciFault[] = [];
  // Transitional states end lazily, when someone looks.
  const settleNow = (): undefined => {
    for (const s of secrets) {
      if (s.settlesAt !== undefined && s.settlesAt <= Date.now()) {
        s.lifecycleState = 'ACTIVE';
        s.settlesAt = undefined;
      }
    }
    return undefined;
  };
  const cert = issueCert({ names: ['localhost', '127.0.0.1'] });
  const server = https.createServer({ cert: cert.cert, key: cert.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const emu: OciVaultEmulator = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secrets,
    secretByName: (vaultId, name) =>
      settleNow() ??
      secrets.find((s) => s.vaultId === vaultId && s.secretName === name && s.lifecycleState !== 'DELETED'),
    seed(s) {
      const secret: OciSecret = {
        id: ocid('vaultsecret'),
        compartmentId: s.compartmentId,
        vaultId: s.vaultId,
        keyId: s.keyId,
        secretName: s.name,
        lifecycleState: s.state ?? 'ACTIVE',
        timeCreated: now(),
        freeformTags: { ...s.freeformTags },
        versions: [
          {
            versionNumber: 1,
            content: Buffer.from(s.content, 'utf8').toString('base64'),
            stages: ['CURRENT', 'LATEST'],
            timeCreated: now(),
          },
        ],
      };
      secrets.push(secret);
      return secret;
    },
    scheduleDeletion(id) {
      const s = secrets.find((x) => x.id === id)!;
      s.lifecycleState = 'PENDING_DELETION';
      s.timeOfDeletion = new Date(Date.now() + 7 * 86_400_000).toISOString();
    },
    storm: (n, op) => (storm = { left: n, op }),
    fault: (f) => faults.push({ times: Infinity, ...f }),
    requests: [],
    tooManyRequests: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const view = (s: OciSecret): object => {
    const current = s.versions.find((v) => v.stages.includes('CURRENT'));
    return {
      id: s.id,
      compartmentId: s.compartmentId,
      vaultId: s.vaultId,
      keyId: s.keyId,
      secretName: s.secretName,
      description: s.description,
      lifecycleState: s.lifecycleState,
      timeCreated: s.timeCreated,
      timeOfDeletion: s.timeOfDeletion,
      currentVersionNumber: current?.versionNumber,
      freeformTags: s.freeformTags,
      definedTags: {},
      systemTags: {},
      metadata: s.metadata,
      secretRules: s.secretRules,
    };
  };
  const DAY = 86_400_000;
  /** What OCI checks in secretRules; undefined when they are acceptable. */
  const rulesProblem = (rules: unknown): string | undefined => {
    if (!Array.isArray(rules)) return 'secretRules must be an array.';
    const types = new Set<string>();
    for (const r of rules as Record<string, unknown>[]) {
      if (r.ruleType !== 'SECRET_EXPIRY_RULE' && r.ruleType !== 'SECRET_REUSE_RULE')
        return `Unknown ruleType ${String(r.ruleType)}.`;
      if (types.has(r.ruleType)) return `At most one rule of type ${r.ruleType}.`;
      types.add(r.ruleType);
      if (r.timeOfAbsoluteExpiry !== undefined) {
        const ahead = new Date(r.timeOfAbsoluteExpiry as string).getTime() - Date.now();
        if (Number.isNaN(ahead) || ahead < DAY - 5000 || ahead > 365 * DAY)
          return 'timeOfAbsoluteExpiry must be between 1 and 365 days from the current time.';
      }
      if (r.secretVersionExpiryInterval !== undefined) {
        const m = /^P(\d+)D$/.exec(r.secretVersionExpiryInterval as string);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > 90) return 'secretVersionExpiryInterval must be P1D to P90D.';
      }
    }
    return undefined;
  };
  const bundle = (s: OciSecret, v: OciSecretVersion): object => ({
    secretId: s.id,
    versionNumber: v.versionNumber,
    timeCreated: v.timeCreated,
    stages: v.stages,
    secretBundleContent: { contentType: 'BASE64', content: v.content },
  });
  const transition = (s: OciSecret, state: string): void => {
    s.lifecycleState = state;
    if (opts.transitionRequests !== undefined) s.requestsLeft = opts.transitionRequests;
    else s.settlesAt = Date.now() + (opts.transitionMs ?? 0);
  };
  /** Counts one request naming `s` against its transitional state (transitionRequests). */
  const countRequest = (s: OciSecret | undefined): void => {
    if (s?.requestsLeft === undefined) return;
    if (s.requestsLeft > 0) s.requestsLeft--;
    else {
      s.lifecycleState = 'ACTIVE';
      s.requestsLeft = undefined;
    }
  };
  const addVersion = (s: OciSecret, content: string): void => {
    for (const v of s.versions)
      v.stages = v.stages.includes('CURRENT')
        ? ['PREVIOUS']
        : v.stages.filter((x) => x !== 'LATEST' && x !== 'PREVIOUS');
    s.versions.push({
      versionNumber: s.versions.length + 1,
      content,
      stages: ['CURRENT', 'LATEST'],
      timeCreated: now(),
    });
  };

  function route(method: string, path: string): { op: OciOperation | 'Unknown'; id?: string } {
    let m: RegExpExecArray | null;
    if (path === '/20180608/secrets') return { op: method === 'POST' ? 'CreateSecret' : 'ListSecrets' };
    if ((m = /^\/20180608\/secrets\/([^/]+)$/.exec(path)))
      return { op: method === 'PUT' ? 'UpdateSecret' : 'GetSecret', id: m[1] };
    if ((m = /^\/20180608\/secrets\/([^/]+)\/actions\/cancelDeletion$/.exec(path)))
      return { op: 'CancelSecretDeletion', id: m[1] };
    if ((m = /^\/20180608\/secrets\/([^/]+)\/actions\/scheduleDeletion$/.exec(path)))
      return { op: 'ScheduleSecretDeletion', id: m[1] };
    if (path === '/20190301/secretbundles/actions/getByName') return { op: 'GetSecretBundleByName' };
    if ((m = /^\/20190301\/secretbundles\/([^/]+)$/.exec(path))) return { op: 'GetSecretBundle', id: m[1] };
    return { op: 'Unknown' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    settleNow();
    const u = new URL(req.url ?? '/', emu.url);
    const method = req.method ?? 'GET';
    const { op, id } = route(method, u.pathname);
    const entry: OciVaultEmulator['requests'][number] = {
      op,
      status: 0,
      retryToken: req.headers['opc-retry-token'] as string | undefined,
    };
    emu.requests.push(entry);
    const fail = (status: number, code: string, message: string): void => {
      entry.status = status;
      sendOciError(res, status, code, message);
    };
    let lostResponse: OciFault | undefined;
    const ok = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      if (lostResponse)
        return fail(lostResponse.status, lostResponse.code, lostResponse.message ?? `Injected ${lostResponse.code}.`);
      entry.status = status;
      res.writeHead(status, {
        'content-type': 'application/json',
        'opc-request-id': crypto.randomUUID(),
        etag: crypto.randomBytes(8).toString('hex'),
        ...headers,
      });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const sig = verifyOciSignature(req, body);
    if (!sig.ok) return fail(401, 'NotAuthenticated', sig.message);
    if (storm.left > 0 && (!storm.op || storm.op === op)) {
      storm.left--;
      emu.tooManyRequests++;
      return fail(429, 'TooManyRequests', 'User-rate limit exceeded.');
    }
    let json: Record<string, any> = {};
    if (body.length) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return fail(400, 'InvalidParameter', 'The request body is not valid JSON.');
      }
    }
    const secret = id ? secrets.find((s) => s.id === id && s.lifecycleState !== 'DELETED') : undefined;
    countRequest(secret);
    const name =
      op === 'CreateSecret'
        ? json.secretName
        : op === 'GetSecretBundleByName'
          ? u.searchParams.get('secretName')
          : secret?.secretName;
    entry.secretName = name ?? undefined;
    const fault = faults.find((f) => f.op === op && (!f.name || f.name === name) && (f.times ?? 0) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.afterApply) lostResponse = fault;
      else return fail(fault.status, fault.code, fault.message ?? `Injected ${fault.code}.`);
    }
    if (id && !secret) return fail(404, 'NotAuthorizedOrNotFound', `Secret ${id} not found or not authorized.`);

    switch (op) {
      case 'CreateSecret': {
        for (const field of ['compartmentId', 'vaultId', 'keyId', 'secretName'])
          if (!json[field]) return fail(400, 'InvalidParameter', `${field} is required.`);
        const content = json.secretContent;
        if (
          !content ||
          content.contentType !== 'BASE64' ||
          typeof content.content !== 'string' ||
          !BASE64.test(content.content)
        ) {
          return fail(400, 'InvalidParameter', 'secretContent must have contentType BASE64 and base64 content.');
        }
        const vault = opts.vaults.find((v) => v.id === json.vaultId);
        if (!vault) return fail(404, 'NotAuthorizedOrNotFound', `Vault ${json.vaultId} not found or not authorized.`);
        if (!vault.keyIds.includes(json.keyId))
          return fail(400, 'InvalidParameter', `Key ${json.keyId} does not belong to vault ${json.vaultId}.`);
        const token = req.headers['opc-retry-token'] as string | undefined;
        const bodyHash = crypto.createHash('sha256').update(body).digest('hex');
        const previous = token ? retryTokens.get(token) : undefined;
        if (previous) {
          if (previous.bodyHash !== bodyHash)
            return fail(409, 'Conflict', 'The retry token was already used for a different request.');
          return ok(200, view(previous.secret));
        }
        if (emu.secretByName(json.vaultId, json.secretName))
          return fail(409, 'Conflict', `Secret name ${json.secretName} already exists in vault ${json.vaultId}.`);
        const created: OciSecret = {
          id: ocid('vaultsecret'),
          compartmentId: json.compartmentId,
          vaultId: json.vaultId,
          keyId: json.keyId,
          secretName: json.secretName,
          description: json.description,
          lifecycleState: 'CREATING',
          timeCreated: now(),
          freeformTags: json.freeformTags ?? {},
          versions: [],
        };
        if (json.secretRules !== undefined) {
          const problem = rulesProblem(json.secretRules);
          if (problem) return fail(400, 'InvalidParameter', problem);
          created.secretRules = json.secretRules;
        }
        if (json.metadata !== undefined) created.metadata = json.metadata;
        addVersion(created, content.content);
        transition(created, 'CREATING');
        secrets.push(created);
        if (token) retryTokens.set(token, { bodyHash, secret: created });
        return ok(200, view(created));
      }
      case 'ListSecrets': {
        const compartmentId = u.searchParams.get('compartmentId');
        if (!compartmentId) return fail(400, 'MissingParameter', 'compartmentId is required.');
        const filter = (s: OciSecret): boolean =>
          s.compartmentId === compartmentId &&
          s.lifecycleState !== 'DELETED' &&
          (!u.searchParams.get('vaultId') || s.vaultId === u.searchParams.get('vaultId')) &&
          (!u.searchParams.get('name') || s.secretName === u.searchParams.get('name')) &&
          (!u.searchParams.get('lifecycleState') || s.lifecycleState === u.searchParams.get('lifecycleState'));
        const all = secrets.filter(filter);
        const limit = Math.min(Number(u.searchParams.get('limit') ?? opts.pageSize ?? 10), opts.pageSize ?? 10);
        const start = Number(u.searchParams.get('page') ?? 0);
        const headers: Record<string, string> =
          start + limit < all.length ? { 'opc-next-page': String(start + limit) } : {};
        return ok(200, all.slice(start, start + limit).map(view), headers);
      }
      case 'GetSecret':
        return ok(200, view(secret!));
      case 'UpdateSecret': {
        if (secret!.lifecycleState !== 'ACTIVE')
          return fail(
            409,
            'IncorrectState',
            `Secret ${secret!.id} is in state ${secret!.lifecycleState}; it must be ACTIVE to be updated.`,
          );
        const content = json.secretContent;
        if (content && (content.contentType !== 'BASE64' || !BASE64.test(content.content ?? '')))
          return fail(400, 'InvalidParameter', 'secretContent must be BASE64.');
        if (json.secretRules !== undefined) {
          const problem = rulesProblem(json.secretRules);
          if (problem) return fail(400, 'InvalidParameter', problem);
        }
        if (content) addVersion(secret!, content.content);
        if (json.description !== undefined) secret!.description = json.description;
        if (json.freeformTags !== undefined) secret!.freeformTags = json.freeformTags;
        if (json.metadata !== undefined) secret!.metadata = json.metadata;
        if (json.secretRules !== undefined) secret!.secretRules = json.secretRules;
        transition(secret!, 'UPDATING');
        return ok(200, view(secret!));
      }
      case 'ScheduleSecretDeletion': {
        if (secret!.lifecycleState !== 'ACTIVE')
          return fail(
            409,
            'IncorrectState',
            `Secret ${secret!.id} is in state ${secret!.lifecycleState}; it must be ACTIVE to schedule its deletion.`,
          );
        const at = json.timeOfDeletion ? new Date(json.timeOfDeletion).getTime() : Date.now() + 30 * DAY;
        if (Number.isNaN(at) || at < Date.now() + DAY - 5000 || at > Date.now() + 30 * DAY + 5000)
          return fail(400, 'InvalidParameter', 'timeOfDeletion must be between 1 and 30 days from now.');
        emu.scheduleDeletion(secret!.id);
        secret!.timeOfDeletion = new Date(at).toISOString();
        return ok(200, undefined);
      }
      case 'CancelSecretDeletion':
        if (secret!.lifecycleState !== 'PENDING_DELETION')
          return fail(409, 'IncorrectState', `Secret ${secret!.id} is not pending deletion.`);
        secret!.timeOfDeletion = undefined;
        transition(secret!, 'CANCELLING_DELETION');
        return ok(200, undefined);
      case 'GetSecretBundle':
      case 'GetSecretBundleByName': {
        const target =
          secret ?? emu.secretByName(u.searchParams.get('vaultId') ?? '', u.searchParams.get('secretName') ?? '');
        if (!target) return fail(404, 'NotAuthorizedOrNotFound', 'Secret not found or not authorized.');
        if (!['ACTIVE', 'UPDATING'].includes(target.lifecycleState))
          return fail(409, 'IncorrectState', `Secret ${target.id} is in state ${target.lifecycleState}.`);
        const stage = u.searchParams.get('stage') ?? 'CURRENT';
        const number = u.searchParams.get('versionNumber');
        const v = target.versions.find((x) => (number ? x.versionNumber === Number(number) : x.stages.includes(stage)));
        if (!v) return fail(404, 'NotAuthorizedOrNotFound', 'Secret version not found.');
        return ok(200, bundle(target, v));
      }
      default:
        return fail(404, 'NotAuthorizedOrNotFound', `${method} ${u.pathname} is not emulated.`);
    }
  }

  server.on('request', (req, res) => {
    handle(req, res).catch((err) => sendOciError(res, 500, 'InternalServerError', String(err)));
  });
  return emu;
}
