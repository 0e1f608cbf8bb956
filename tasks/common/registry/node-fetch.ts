import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { rawRequest } from './raw-http';

/**
 * A fetch for the registry's small requests (tokens, manifests, HEADs, upload sessions) on node:http,
 * used when the agent has no proxy or certificate settings. Node's own fetch costs a fresh task process
 * ≈0.25 s before its first answer on a loaded agent (compiling the bundled undici, then llhttp's
 * WebAssembly on the first connection; measured with --cpu-prof on AcrPromote), more than a whole
 * re-promotion. Its answer implements the part of Response the registry code and HttpClient read
 * (status, ok, headers.get, body.cancel and async iteration, text, json, arrayBuffer); creating a
 * real Response would load undici all the same.
 */
export const nodeFetch = (async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
  let url = String(input);
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = plainHeaders(init.headers);
  // fetch would ask for compression and inflate it; these answers are small and the blobs go raw anyway.
  headers['accept-encoding'] ??= 'identity';
  const body = requestBody(init.body);
  if (body !== undefined) headers['content-length'] = String(body.length);
  // fetch follows redirects (redirect: 'follow'); so does this, for GET and HEAD, without the
  // credentials when the origin changes.
  for (let hops = 0; ; hops++) {
    const res = await rawRequest(url, {
      method,
      headers,
      body: body === undefined ? undefined : Readable.from([body]),
      signal: init.signal ?? undefined,
    });
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location && (method === 'GET' || method === 'HEAD') && hops < 5) {
      res.resume();
      const next = new URL(location, url);
      if (next.origin !== new URL(url).origin) delete headers.authorization;
      url = next.toString();
      continue;
    }
    return new LiteResponse(res, method) as unknown as Response;
  }
}) as typeof fetch;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function plainHeaders(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  // Never `instanceof Headers`: touching that global loads undici.
  if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
  else if (typeof (h as { forEach?: unknown }).forEach === 'function')
    (h as { forEach(cb: (v: string, k: string) => void): void }).forEach((v, k) => (out[k.toLowerCase()] = v));
  else for (const [k, v] of Object.entries(h as Record<string, string>)) out[k.toLowerCase()] = v;
  return out;
}

function requestBody(b: RequestInit['body']): Buffer | undefined {
  if (b === undefined || b === null) return undefined;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof URLSearchParams) return Buffer.from(b.toString(), 'utf8');
  throw new TypeError('nodeFetch sends only string, Buffer and URLSearchParams bodies.');
}

class LiteHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(cb: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.raw)) cb(this.get(name)!, name);
  }
}

class LiteBody {
  constructor(private readonly res: IncomingMessage) {}

  /** Drains rather than destroys: the keep-alive socket goes back to the pool. */
  cancel(): Promise<void> {
    this.res.resume();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return (this.res as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }
}

class LiteResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LiteHeaders;
  readonly body: LiteBody | null;
  readonly url: string;

  constructor(
    private readonly res: IncomingMessage,
    method: string,
  ) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.headers = new LiteHeaders(res.headers);
    const empty = method === 'HEAD' || this.status === 204 || this.status === 304;
    if (empty) res.resume();
    this.body = empty ? null : new LiteBody(res);
    this.url = '';
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  private async bytes(): Promise<Buffer> {
    if (!this.body) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    for await (const chunk of this.res as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}
