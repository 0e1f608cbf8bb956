/**
 * Pure retry decisions, shared by every client we write ourselves (and used to configure the
 * SDKs' own retry options the same way): exponential backoff with full jitter, Retry-After
 * honoured, everything bounded by the task's deadline.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Statuses a server uses to say "not now": retried for every method. */
const THROTTLED = new Set([429, 503]);
/** Statuses that may hide a half-done write: retried only when the request is idempotent. */
const TRANSIENT = new Set([408, 500, 502, 504]);

/** Network errors where the request may or may not have reached the server. */
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'EAI_AGAIN',
]);
/** Network errors where the request certainly did not reach the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED']);

export type Outcome = { status: number; retryAfter?: string | null } | { errorCode: string };

export interface Decision {
  retry: boolean;
  delayMs: number;
  reason: string;
}

/** Seconds or an HTTP date; returns milliseconds from now, or undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter: spreads a herd of retrying agents across the whole window.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  return THROTTLED.has(status) || (idempotent && TRANSIENT.has(status));
}

/**
 * attempt: the attempt that just finished (1-based). remainingMs: time left before the task's
 * deadline; a retry that could not start before the deadline is not made.
 */
export function decideRetry(
  outcome: Outcome,
  attempt: number,
  ctx: { idempotent: boolean; remainingMs: number; nowMs: number; policy: RetryPolicy; random: () => number },
): Decision {
  let reason: string;
  let hinted: number | undefined;
  if ('status' in outcome) {
    if (!isRetryableStatus(outcome.status, ctx.idempotent))
      return { retry: false, delayMs: 0, reason: `HTTP ${outcome.status}` };
    reason = `HTTP ${outcome.status}`;
    hinted = parseRetryAfter(outcome.retryAfter, ctx.nowMs);
  } else {
    const sent = !NOT_SENT_CODES.has(outcome.errorCode);
    if (!RESET_CODES.has(outcome.errorCode) && sent) return { retry: false, delayMs: 0, reason: outcome.errorCode };
    if (sent && !ctx.idempotent)
      return { retry: false, delayMs: 0, reason: `${outcome.errorCode} on a non-idempotent request` };
    reason = outcome.errorCode;
  }
  if (attempt >= ctx.policy.maxAttempts)
    return { retry: false, delayMs: 0, reason: `${reason}; gave up after ${attempt} attempts` };
  const delayMs = hinted ?? backoffDelay(attempt, ctx.policy, ctx.random);
  if (delayMs >= ctx.remainingMs)
    return { retry: false, delayMs, reason: `${reason}; the next attempt would start after the task's deadline` };
  return { retry: true, delayMs, reason };
}
