/**
 * The one door to the network: bounded concurrency, 429/503 back-off honouring Retry-After
 * (Azure DevOps rate-limits per user, so one throttled answer pauses every request, not just
 * the one that got it), retries on 5xx and resets, and a request counter for the benchmark.
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface RestClientOptions {
  fetch: FetchLike;
  /** Returns the Authorization header value (a fresh token each time: ADO tokens expire). */
  authorization?: () => Promise<string | undefined>;
  concurrency?: number;
  maxAttempts?: number;
  /** Upper bound for one wait, whatever Retry-After says. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    detail: string,
  ) {
    super(`HTTP ${status} from ${url.replace(/\?.*$/, '')}${detail ? `: ${detail}` : ''}`);
  }
}

export interface RestResponse<T> {
  body: T;
  header(name: string): string | undefined;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class RestClient {
  /** Requests sent, retries included: what the benchmark reports. */
  requests = 0;
  throttled = 0;
  private active = 0;
  /** Requests asked for but not yet handed to fetch (waiting for a slot, a pause, or a token). */
  private unsent = 0;
  private sentWaiters: (() => void)[] = [];
  private readonly queue: (() => void)[] = [];
  private pausedUntil = 0;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: RestClientOptions) {
    this.concurrency = options.concurrency ?? 6;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves once every request asked for so far has been handed to fetch (at once when none is waiting):
   * main-thread work that must not hold the first requests back (the boot's collation warm-up) waits for it.
   * Inside Azure DevOps each request first waits for a token from the host frame.
   */
  whenSent(): Promise<void> {
    if (this.unsent === 0) return Promise.resolve();
    return new Promise((resolve) => this.sentWaiters.push(resolve));
  }

  private markSent(): void {
    if (--this.unsent > 0) return;
    const waiters = this.sentWaiters;
    this.sentWaiters = [];
    for (const w of waiters) w();
  }

  /** When a 429 paused every request: until this time (ms since epoch), for the UI's "throttled" message. */
  throttledUntil(): number {
    return this.pausedUntil > this.now() ? this.pausedUntil : 0;
  }

  async getJson<T>(url: string): Promise<RestResponse<T>> {
    const res = await this.send('GET', url, undefined, 'application/json');
    return { body: (res.text ? JSON.parse(res.text) : undefined) as T, header: res.header };
  }

  async getText(url: string): Promise<string> {
    return (await this.send('GET', url, undefined, 'application/octet-stream')).text;
  }

  async putJson<T>(url: string, body: unknown): Promise<T> {
    const res = await this.send('PUT', url, JSON.stringify(body), 'application/json');
    return JSON.parse(res.text) as T;
  }

  async send(
    method: string,
    url: string,
    body?: string,
    accept = 'application/json',
  ): Promise<{ text: string; header: (n: string) => string | undefined }> {
    this.unsent++;
    let unsent = true;
    /** This request is on the wire (or will never be: it failed before): counted once. */
    const sent = (): void => {
      if (unsent) this.markSent();
      unsent = false;
    };
    await this.acquire();
    try {
      for (let attempt = 1; ; attempt++) {
        await this.waitWhilePaused();
        const headers: Record<string, string> = { Accept: accept };
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        const auth = await this.options.authorization?.();
        if (auth) headers.Authorization = auth;
        this.requests++;
        let status = 0;
        let retryAfter: string | null = null;
        let detail = '';
        try {
          const answer = this.options.fetch(url, { method, headers, body });
          sent();
          const res = await answer;
          if (res.ok) {
            const text = await res.text();
            return { text, header: (n) => res.headers.get(n) ?? undefined };
          }
          status = res.status;
          retryAfter = res.headers.get('retry-after');
          detail = (await res.text().catch(() => '')).slice(0, 300);
        } catch (err) {
          // fetch rejects on resets and DNS failures: retryable like a 503.
          detail = err instanceof Error ? err.message : String(err);
        }
        if ((status !== 0 && !RETRYABLE.has(status)) || attempt >= this.maxAttempts) {
          throw new RestError(status, url, summarize(detail));
        }
        const wait = this.backoff(attempt, retryAfter);
        if (status === 429) {
          this.throttled++;
          this.pausedUntil = Math.max(this.pausedUntil, this.now() + wait);
        } else {
          await this.sleep(wait);
        }
      }
    } finally {
      sent();
      this.release();
    }
  }

  /** Retry-After wins (seconds or an HTTP date); otherwise exponential with jitter. */
  backoff(attempt: number, retryAfter: string | null): number {
    if (retryAfter) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - this.now();
      if (Number.isFinite(ms)) return Math.min(Math.max(ms, 0), this.maxWaitMs);
    }
    const base = Math.min(250 * 2 ** (attempt - 1), this.maxWaitMs);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private async waitWhilePaused(): Promise<void> {
    for (let left = this.pausedUntil - this.now(); left > 0; left = this.pausedUntil - this.now())
      await this.sleep(left);
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(() => resolve()));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}

function summarize(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed && typeof parsed.message === 'string') return parsed.message.slice(0, 200);
  } catch {
    // not JSON: fall through
  }
  return body.replace(/\s+/g, ' ').slice(0, 200);
}
