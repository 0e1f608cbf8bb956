import { DEFAULT_RETRY_POLICY, RetryPolicy } from './retry-policy';
import { retrying } from './retrying';

export interface HttpRequestInit extends RequestInit {
  /** Defaults to true for GET, HEAD, PUT, DELETE, OPTIONS: those may be repeated after a reset. */
  idempotent?: boolean;
}

export interface HttpClientOptions {
  signal: AbortSignal;
  deadline: number;
  policy?: RetryPolicy;
  log?: (message: string) => void;
  fetchImpl?: typeof fetch;
  random?: () => number;
  now?: () => number;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Node's fetch wraps socket errors in `TypeError: fetch failed` with the code on `cause`. */
export function networkErrorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * fetch with retries on 429/5xx/resets, Retry-After honoured, bounded by the task deadline.
 * Bodies must be replayable (string, Buffer, URLSearchParams) for a request to be retried.
 */
export class HttpClient {
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly opts: HttpClientOptions) {
    this.policy = opts.policy ?? DEFAULT_RETRY_POLICY;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  async fetch(url: string | URL, init: HttpRequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const replayable =
      init.body === undefined ||
      init.body === null ||
      typeof init.body === 'string' ||
      init.body instanceof Uint8Array ||
      init.body instanceof URLSearchParams;
    const idempotent = init.idempotent ?? IDEMPOTENT_METHODS.has(method);
    const { idempotent: _ignored, ...requestInit } = init;
    const { signal } = this.opts;
    const send = (): Promise<Response> => this.fetchImpl(url, { ...requestInit, signal });
    // An unparsable URL is fetch's error to report, not ours.
    const where = URL.canParse(String(url)) ? `${method} ${redactUrl(url)}` : method;
    if (!replayable) {
      // A streamed body is gone once sent: one attempt, whatever happens.
      return send().catch((err) => {
        throw signal.aborted ? (signal.reason ?? err) : err;
      });
    }
    return retrying(
      send,
      {
        what: where,
        idempotent,
        errorOutcome: (err) => {
          const code = networkErrorCode(err);
          return code ? { errorCode: code } : undefined;
        },
        resultOutcome: (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after') }),
        // Free the socket of a response we will not read.
        discard: (res) => res.body?.cancel().catch(() => undefined),
        giveUp: (err, decision) =>
          decision
            ? Object.assign(new Error(`${where} failed: ${decision.reason}`), { code: networkErrorCode(err) })
            : err,
      },
      {
        signal,
        deadline: this.opts.deadline,
        policy: this.policy,
        log: this.opts.log,
        now: this.now,
        random: this.random,
      },
    );
  }
}

/** URLs are logged without query strings, which may carry tokens (SAS, signed URLs). */
export function redactUrl(url: string | URL): string {
  const u = new URL(String(url));
  return `${u.protocol}//${u.host}${u.pathname}`;
}
