import type { Agent as HttpAgent } from 'node:http';
import { Readable } from 'node:stream';
import { TaskError, isTaskError } from '../errors';
import { HttpClient } from '../http';
import { isLoopbackRegistry } from '../image-ref';
import { AuthDeps, RegistryAuth } from './auth';
import { repositoryScope } from './challenge';
import { RegistryCredentialSource } from './credentials';
import { rawRequest, toResponse } from './raw-http';

/**
 * The Node agent carrying the agent's proxy and certificate settings to a URL (network/node-agents.ts):
 * blob bytes are streamed on node:http, apart from the HttpClient that carries them for everything else.
 */
export type AgentFor = (url: string) => HttpAgent | undefined;
import { readLimited, registryError } from './responses';
import { Descriptor, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, MediaType, digestOf, stripParams } from './media-types';

export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

export type UploadStart = { mounted: true } | { mounted: false; location: string };

/** The OCI distribution API of one registry, as the promotion needs it. */
export interface RegistryClient {
  readonly host: string;
  readonly label: string;
  /** HEAD a manifest by tag or digest; undefined when absent. */
  resolve(repository: string, reference: string): Promise<Descriptor | undefined>;
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  /** GET a manifest by tag or digest; undefined when absent (one round trip where HEAD + GET take two). */
  fetchManifest(repository: string, reference: string): Promise<FetchedManifest | undefined>;
  /** Returns the OCI-Subject header: set when the registry indexed the manifest's subject itself. */
  putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<{ subjectIndexed: boolean }>;
  hasBlob(repository: string, digest: string): Promise<boolean>;
  openBlob(repository: string, descriptor: Descriptor): Promise<Readable>;
  startUpload(repository: string, mountFrom?: { repository: string; digest: string }): Promise<UploadStart>;
  completeUpload(location: string, descriptor: Descriptor, body: Readable): Promise<void>;
  cancelUpload(location: string): Promise<void>;
  /** Chunked upload: one PATCH of `length` bytes streamed from `body` at `start`; returns the next Location. */
  patchUpload(location: string, start: number, body: Readable, length: number): Promise<string>;
  /** Upload status (GET on the Location): bytes the registry holds and where to go on; undefined when the session is gone. */
  uploadStatus(location: string): Promise<{ offset: number; location: string } | undefined>;
  /** Closes a chunked upload (PUT ?digest= with no body). */
  closeUpload(location: string, descriptor: Descriptor): Promise<void>;
  /** Referrers API; undefined when the registry does not implement it. */
  referrers(repository: string, digest: string): Promise<Descriptor[] | undefined>;
  /** ACR's data-plane lock (writeEnabled=false); 'unsupported' on registries without that API. */
  lockManifest(repository: string, digest: string): Promise<'locked' | 'unsupported'>;
}

interface SendInit {
  method: string;
  scopes: string[];
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Safe to repeat after a reset even though the method is not (see startUpload). */
  idempotent?: boolean;
}

/** Any registry speaking the OCI distribution spec (ACR, OCIR, ECR, GAR, Harbor, Docker Hub, distribution). */
export class DistributionClient implements RegistryClient {
  private readonly auth: RegistryAuth;
  private baseUrl?: Promise<string>;

  /**
   * access 'push' asks for pull+push on every request to a repository, so one token serves a
   * whole promotion (HEADs included); 'pull' never asks for more than reading.
   */
  constructor(
    readonly host: string,
    source: RegistryCredentialSource,
    private readonly deps: AuthDeps & { http: HttpClient; signal?: AbortSignal; agentFor?: AgentFor },
    private readonly access: 'pull' | 'push' = 'pull',
  ) {
    this.auth = new RegistryAuth(host, source, deps);
  }

  get label(): string {
    return this.auth.label;
  }

  /**
   * HTTPS, except for loopback registries, which Docker treats as insecure (HTTPS if the server
   * speaks it, else plain HTTP). The probe asks in plain HTTP first: a plain server answers it
   * without the agent loading its TLS stack and CA store (≈0.3 s in a fresh process), and a TLS
   * server either drops it or, as Go's does, answers 400 "Client sent an HTTP request to an HTTPS
   * server": both mean HTTPS.
   */
  private base(): Promise<string> {
    this.baseUrl ??= (async () => {
      if (!isLoopbackRegistry(this.host)) return `https://${this.host}`;
      const probe = await probePlainHttp(this.host, this.deps.agentFor);
      // The probe's 401 already says how to authenticate: the first real request goes with a token
      // instead of being refused once (one round trip less before the first byte).
      if (probe.challenge) this.auth.onUnauthorized(probe.challenge, [], undefined);
      return probe.plain ? `http://${this.host}` : `https://${this.host}`;
    })();
    return this.baseUrl;
  }

  private async send(path: string, init: SendInit): Promise<Response> {
    const url = /^https?:/.test(path) ? path : `${await this.base()}${path}`;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.auth.header(init.scopes);
      const headers = { ...init.headers, ...(authorization ? { authorization } : {}) };
      let res: Response;
      try {
        res = await this.deps.http.fetch(url, {
          method: init.method,
          headers,
          body: init.body,
          idempotent: init.idempotent,
        });
      } catch (err) {
        throw unreachable(err, init.method, url, this.deps.signal);
      }
      if (res.status !== 401 || attempt > 0) return res;
      if (!this.auth.onUnauthorized(res.headers.get('www-authenticate'), init.scopes, authorization)) return res;
      await res.body?.cancel();
    }
  }

  private pull(repository: string): string[] {
    return this.access === 'push' ? this.push(repository) : [repositoryScope(repository, ['pull'])];
  }

  private push(repository: string): string[] {
    return [repositoryScope(repository, ['pull', 'push'])];
  }

  async resolve(repository: string, reference: string): Promise<Descriptor | undefined> {
    const res = await this.send(`/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      scopes: this.pull(repository),
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw await registryError(res, `Reading ${this.host}/${repository}:${reference}`, this.auth, repository, 'pull');
    const digest = res.headers.get('docker-content-digest');
    const mediaType = stripParams(res.headers.get('content-type'));
    const size = Number(res.headers.get('content-length'));
    if (digest && mediaType && Number.isSafeInteger(size)) return { mediaType, digest, size };
    // Some registries omit the digest on HEAD: read the manifest once instead.
    return (await this.getManifest(repository, reference)).descriptor;
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const found = await this.fetchManifest(repository, reference);
    if (found) return found;
    throw new TaskError(
      `${this.host}/${repository}${reference.includes(':') ? '@' : ':'}${reference} does not exist.`,
      'Check the image reference and that the connection may read that repository.',
    );
  }

  async fetchManifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const where = `${this.host}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const res = await this.send(`/v2/${repository}/manifests/${reference}`, {
      method: 'GET',
      scopes: this.pull(repository),
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw await registryError(res, `Reading ${where}`, this.auth, repository, 'pull');
    const bytes = await readLimited(res, MAX_MANIFEST_BYTES, where);
    const expected = reference.includes(':') ? reference : res.headers.get('docker-content-digest');
    const algorithm = expected?.split(':')[0] ?? 'sha256';
    const digest = digestOf(bytes, algorithm);
    if (expected && expected !== digest) {
      throw new TaskError(
        `The manifest served for ${where} has digest ${digest}, not ${expected}: the registry or a proxy altered it.`,
        'Nothing was copied; check the source registry.',
      );
    }
    let mediaType = stripParams(res.headers.get('content-type')) ?? '';
    if (!mediaType || mediaType === 'application/json') {
      const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType;
      mediaType = declared ?? MediaType.ociManifest;
    }
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<{ subjectIndexed: boolean }> {
    const res = await this.send(`/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      scopes: this.push(repository),
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    if (res.status !== 201 && res.status !== 200)
      throw await registryError(
        res,
        `Pushing manifest ${this.host}/${repository}:${reference}`,
        this.auth,
        repository,
        'push',
      );
    await res.body?.cancel();
    return { subjectIndexed: !!res.headers.get('oci-subject') };
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.send(`/v2/${repository}/blobs/${digest}`, { method: 'HEAD', scopes: this.push(repository) });
    if (res.status === 404) return false;
    if (res.ok) return true;
    throw await registryError(
      res,
      `Checking blob ${digest} in ${this.host}/${repository}`,
      this.auth,
      repository,
      'push',
    );
  }

  async openBlob(repository: string, descriptor: Descriptor): Promise<Readable> {
    const scopes = this.pull(repository);
    let url = `${await this.base()}/v2/${repository}/blobs/${descriptor.digest}`;
    let authorization = await this.auth.header(scopes);
    let retried = false;
    for (let hops = 0; hops < 6; hops++) {
      // identity: a storage back end that sets Content-Encoding must not get the layer inflated.
      const headers: Record<string, string> = {
        'accept-encoding': 'identity',
        ...(authorization ? { authorization } : {}),
      };
      const res = await rawRequest(url, {
        method: 'GET',
        headers,
        signal: this.deps.signal,
        agent: this.deps.agentFor?.(url),
      });
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        const next = new URL(res.headers.location, url);
        // Registries redirect blobs to storage (S3, Azure Blob): our token must not follow it there.
        if (next.origin !== new URL(url).origin) authorization = undefined;
        url = next.toString();
        continue;
      }
      if (
        status === 401 &&
        !retried &&
        this.auth.onUnauthorized(String(res.headers['www-authenticate'] ?? ''), scopes, authorization)
      ) {
        res.resume();
        retried = true;
        authorization = await this.auth.header(scopes);
        continue;
      }
      if (status !== 200)
        throw await registryError(
          await toResponse(res),
          `Reading blob ${descriptor.digest} from ${this.host}/${repository}`,
          this.auth,
          repository,
          'pull',
        );
      return res;
    }
    throw new TaskError(
      `Reading blob ${descriptor.digest} from ${this.host}/${repository} was redirected more than 5 times.`,
    );
  }

  async startUpload(repository: string, mountFrom?: { repository: string; digest: string }): Promise<UploadStart> {
    const query = mountFrom
      ? `?mount=${encodeURIComponent(mountFrom.digest)}&from=${encodeURIComponent(mountFrom.repository)}`
      : '';
    const scopes = mountFrom ? [...this.push(repository), ...this.pull(mountFrom.repository)] : this.push(repository);
    // Repeating the POST after a lost answer only opens a second upload session (the registry purges the
    // orphan) or repeats a mount: safe to retry, unlike most POSTs.
    const res = await this.send(`/v2/${repository}/blobs/uploads/${query}`, {
      method: 'POST',
      scopes,
      headers: { 'content-length': '0' },
      idempotent: true,
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 201 && mountFrom) return { mounted: true };
    const location = res.headers.get('location');
    if (res.status !== 202 || !location)
      throw await registryError(res, `Starting an upload to ${this.host}/${repository}`, this.auth, repository, 'push');
    return { mounted: false, location: new URL(location, await this.base()).toString() };
  }

  async completeUpload(location: string, descriptor: Descriptor, body: Readable): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', descriptor.digest);
    const repository = /\/v2\/(.+)\/blobs\/uploads\//.exec(url.pathname)?.[1] ?? '';
    const authorization = await this.auth.header(this.push(repository));
    // Monolithic PUT with a streamed body of known length: one request, nothing held in memory.
    const res = await rawRequest(url.toString(), {
      agent: this.deps.agentFor?.(url.toString()),
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(descriptor.size),
        ...(authorization ? { authorization } : {}),
      },
      body,
      signal: this.deps.signal,
    });
    if (res.statusCode !== 201 && res.statusCode !== 204)
      throw await registryError(
        await toResponse(res),
        `Uploading blob ${descriptor.digest} to ${this.host}`,
        this.auth,
        repository,
        'push',
      );
    res.resume();
  }

  async patchUpload(location: string, start: number, body: Readable, length: number): Promise<string> {
    const repository = uploadRepository(location);
    const authorization = await this.auth.header(this.push(repository));
    const res = await rawRequest(location, {
      agent: this.deps.agentFor?.(location),
      method: 'PATCH',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(length),
        'content-range': `${start}-${start + length - 1}`,
        ...(authorization ? { authorization } : {}),
      },
      body,
      signal: this.deps.signal,
    });
    const next = res.headers.location;
    if (res.statusCode !== 202 || !next) {
      throw await registryError(
        await toResponse(res),
        `Uploading a chunk to ${this.host}/${repository}`,
        this.auth,
        repository,
        'push',
      );
    }
    res.resume();
    return new URL(next, location).toString();
  }

  async uploadStatus(location: string): Promise<{ offset: number; location: string } | undefined> {
    const repository = uploadRepository(location);
    const res = await this.send(location, { method: 'GET', scopes: this.push(repository) });
    await res.body?.cancel().catch(() => undefined);
    // distribution answers 404 (BLOB_UPLOAD_UNKNOWN/INVALID) once the session is gone or its state disagrees.
    if (res.status === 404) return undefined;
    const offset = uploadOffset(res.headers.get('range'));
    if (res.status !== 204 || offset === undefined) {
      throw new TaskError(
        `Registry ${this.host} answered HTTP ${res.status} (Range ${res.headers.get('range') ?? 'absent'}) to an upload status request.`,
      );
    }
    return { offset, location: new URL(res.headers.get('location') ?? location, location).toString() };
  }

  async closeUpload(location: string, descriptor: Descriptor): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', descriptor.digest);
    const repository = uploadRepository(location);
    const res = await this.send(url.toString(), {
      method: 'PUT',
      scopes: this.push(repository),
      headers: { 'content-length': '0' },
    });
    if (res.status !== 201 && res.status !== 204)
      throw await registryError(
        res,
        `Closing the upload of blob ${descriptor.digest} to ${this.host}`,
        this.auth,
        repository,
        'push',
      );
    await res.body?.cancel().catch(() => undefined);
  }

  async cancelUpload(location: string): Promise<void> {
    const repository = /\/v2\/(.+)\/blobs\/uploads\//.exec(new URL(location).pathname)?.[1] ?? '';
    const res = await this.send(location, { method: 'DELETE', scopes: this.push(repository) }).catch(() => undefined);
    await res?.body?.cancel().catch(() => undefined);
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    const res = await this.send(`/v2/${repository}/referrers/${digest}`, {
      method: 'GET',
      scopes: this.pull(repository),
      headers: { accept: MediaType.ociIndex },
    });
    // The spec forbids 404 for a valid digest on a registry with the API: 404 (and 400/405) mean "no API".
    if (res.status === 404 || res.status === 400 || res.status === 405) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok)
      throw await registryError(
        res,
        `Listing referrers of ${this.host}/${repository}@${digest}`,
        this.auth,
        repository,
        'pull',
      );
    if (stripParams(res.headers.get('content-type')) !== MediaType.ociIndex) {
      await res.body?.cancel();
      return undefined;
    }
    const index = JSON.parse((await readLimited(res, MAX_MANIFEST_BYTES, 'referrers')).toString('utf8')) as {
      manifests?: Descriptor[];
    };
    return index.manifests ?? [];
  }

  async lockManifest(repository: string, digest: string): Promise<'locked' | 'unsupported'> {
    const res = await this.send(`/acr/v1/${repository}/_manifests/${digest}`, {
      method: 'PATCH',
      scopes: [repositoryScope(repository, ['metadata_write'])],
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeEnabled: false }),
    });
    if (res.status === 404 || res.status === 405 || res.status === 501) {
      await res.body?.cancel();
      return 'unsupported';
    }
    if (!res.ok)
      throw await registryError(
        res,
        `Locking ${this.host}/${repository}@${digest}`,
        this.auth,
        repository,
        'metadata_write',
      );
    await res.body?.cancel();
    return 'locked';
  }
}

function uploadRepository(location: string): string {
  return /\/v2\/(.+)\/blobs\/uploads\//.exec(new URL(location).pathname)?.[1] ?? '';
}

/**
 * The next byte the registry expects, from an upload's `Range: 0-<end-of-range>` (OCI distribution-spec
 * spec.md, "Pushing a blob in chunks": 202 and the 204 status answer carry it). distribution writes
 * "0-0" for an empty session too; chunks are never one byte long, so "0-0" is read as offset 0.
 */
export function uploadOffset(range: string | null): number | undefined {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range?.trim() ?? '');
  if (!m) return undefined;
  const end = Number(m[1]);
  if (!Number.isSafeInteger(end)) return undefined;
  return end === 0 ? 0 : end + 1;
}

/** "fetch failed" names nothing: say which request to which host failed, and the network cause. */
function unreachable(err: unknown, method: string, url: string, signal?: AbortSignal): unknown {
  if (isTaskError(err) || signal?.aborted) return err;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  const host = new URL(url).host;
  const what = why.includes(url.split('?')[0])
    ? why.replace(/\.$/, '')
    : `${method} ${url.split('?')[0]} failed: ${why}`;
  // The cause stays attached: callers that restart a whole transfer on a network error still see its code.
  return Object.assign(
    new TaskError(`${what}.`, `Check that ${host} is reachable from the agent (DNS, firewall, proxy).`),
    { cause: err },
  );
}

/** Whether a loopback registry answers a plain-HTTP GET /v2/ as a plain-HTTP server (see base()), and its challenge. */
async function probePlainHttp(host: string, agentFor?: AgentFor): Promise<{ plain: boolean; challenge?: string }> {
  try {
    const res = await rawRequest(`http://${host}/v2/`, {
      agent: agentFor?.(`http://${host}/v2/`),
      method: 'GET',
      headers: {},
      signal: AbortSignal.timeout(5000),
    });
    const body = await new Promise<string>((resolve) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c.length < 4096 ? c : ''));
      res.on('end', () => resolve(text));
      res.on('error', () => resolve(text));
    });
    if (res.statusCode === 400 && /HTTPS server/i.test(body)) return { plain: false };
    const challenge = res.statusCode === 401 ? res.headers['www-authenticate'] : undefined;
    return { plain: true, challenge: typeof challenge === 'string' ? challenge : undefined };
  } catch {
    return { plain: false };
  }
}
