import { strict as assert } from 'node:assert';
import {
  DEFAULT_RETRY_POLICY,
  Outcome,
  backoffDelay,
  decideRetry,
  parseRetryAfter,
} from '../../tasks/common/retry-policy';

describe('retry policy', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const base = { idempotent: true, remainingMs: 600_000, nowMs: now, policy: DEFAULT_RETRY_POLICY, random: () => 0.5 };

  const table: {
    name: string;
    outcome: Outcome;
    attempt?: number;
    ctx?: Partial<typeof base>;
    retry: boolean;
    delayMs?: number;
  }[] = [
    { name: '429 with Retry-After seconds', outcome: { status: 429, retryAfter: '7' }, retry: true, delayMs: 7000 },
    {
      name: '429 with Retry-After date',
      outcome: { status: 429, retryAfter: 'Mon, 23 Nov 2026 12:00:03 GMT' },
      retry: true,
      delayMs: 3000,
    },
    { name: '503 without Retry-After backs off', outcome: { status: 503 }, retry: true, delayMs: 375 },
    { name: '500 on an idempotent request', outcome: { status: 500 }, retry: true },
    { name: '500 on a POST is not repeated', outcome: { status: 500 }, ctx: { idempotent: false }, retry: false },
    {
      name: '429 on a POST is repeated (not processed)',
      outcome: { status: 429 },
      ctx: { idempotent: false },
      retry: true,
    },
    { name: '404 is final', outcome: { status: 404 }, retry: false },
    { name: '409 is final', outcome: { status: 409 }, retry: false },
    { name: 'reset on GET', outcome: { errorCode: 'ECONNRESET' }, retry: true },
    {
      name: 'reset on POST may have reached the server',
      outcome: { errorCode: 'ECONNRESET' },
      ctx: { idempotent: false },
      retry: false,
    },
    {
      name: 'refused on POST never reached the server',
      outcome: { errorCode: 'ECONNREFUSED' },
      ctx: { idempotent: false },
      retry: true,
    },
    { name: 'TLS errors are final', outcome: { errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, retry: false },
    { name: 'gives up after maxAttempts', outcome: { status: 503 }, attempt: 6, retry: false },
    {
      name: 'does not sleep past the deadline',
      outcome: { status: 429, retryAfter: '120' },
      ctx: { remainingMs: 60_000 },
      retry: false,
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const d = decideRetry(row.outcome, row.attempt ?? 1, { ...base, ...row.ctx });
      assert.equal(d.retry, row.retry, d.reason);
      if (row.delayMs !== undefined) assert.equal(d.delayMs, row.delayMs);
    });
  }

  it('grows the backoff exponentially up to the cap, with jitter in the upper half', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 1)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.deepEqual(
      [1, 2, 3].map((a) => backoffDelay(a, policy, () => 0)),
      [50, 100, 200],
    );
  });

  it('parses Retry-After forms and rejects junk', () => {
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 11:59:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});
