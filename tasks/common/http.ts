import { DEFAULT_RETRY_POLICY, Outcome, RetryPolicy, decideRetry } from './retry-policy';
import { sleep } from './sleep';

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
    const replayable = init.body === undefined || init.body === null || typeof init.body === 'string' || init.body instanceof Uint8Array || init.body instanceof URLSearchParams;
    const idempotent = init.idempotent ?? IDEMPOTENT_METHODS.has(method);
    const { idempotent: _ignored, ...requestInit } = init;
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome;
      let response: Response | undefined;
      try {
        response = await this.fetchImpl(url, { ...requestInit, signal: this.opts.signal });
        outcome = { status: response.status, retryAfter: response.headers.get('retry-after') };
      } catch (err) {
        if (this.opts.signal.aborted) throw this.opts.signal.reason ?? err;
        const code = networkErrorCode(err);
        if (!code) throw err;
        outcome = { errorCode: code };
        if (!replayable) throw err;
      }
      const decision = decideRetry(outcome, attempt, {
        idempotent,
        remainingMs: this.opts.deadline - this.now(),
        nowMs: this.now(),
        policy: this.policy,
        random: this.random,
      });
      if (!decision.retry || !replayable) {
        if (response) return response;
        throw Object.assign(new Error(`${method} ${redactUrl(url)} failed: ${decision.reason}`), { code: 'errorCode' in outcome ? outcome.errorCode : undefined });
      }
      // Free the socket of a response we will not read.
      await response?.body?.cancel().catch(() => undefined);
      this.opts.log?.(`${method} ${redactUrl(url)}: ${decision.reason}; retry ${attempt} in ${decision.delayMs} ms`);
      await sleep(decision.delayMs, this.opts.signal);
    }
  }
}

/** URLs are logged without query strings, which may carry tokens (SAS, signed URLs). */
export function redactUrl(url: string | URL): string {
  const u = new URL(String(url));
  return `${u.protocol}//${u.host}${u.pathname}`;
}
