import type { RetryConfiguration } from 'oci-common';
import { RetryPolicy, backoffDelay } from '../retry-policy';

/** The fields of an OciError a retry condition looks at. */
export interface OciFailureLike {
  statusCode?: number;
  serviceCode?: string;
}

/**
 * Throttling, the server's transient failures and no answer at all (-1 / no status: reset, refused,
 * timeout). `incorrectState` adds 409 IncorrectState (a resource still UPDATING), for calls that are
 * safe to repeat once it settles.
 */
export function transientOciFailure(err: OciFailureLike, opts: { incorrectState?: boolean } = {}): boolean {
  const status = Number(err.statusCode);
  if (Number.isNaN(status) || status === -1 || err.statusCode === undefined) return true;
  if (status === 429 || status === 500 || status === 502 || status === 503 || status === 504) return true;
  return Boolean(opts.incorrectState) && status === 409 && err.serviceCode === 'IncorrectState';
}

export interface OciRetryOptions {
  /** maxAttempts counts every attempt, the first one included. */
  policy: RetryPolicy;
  deadline: number;
  signal?: AbortSignal;
  retryable?: (err: OciFailureLike) => boolean;
  now?: () => number;
  random?: () => number;
}

/** oci-common's MaxAttemptsTerminationStrategy: with it the SDK also sends opc-client-retries. */
export type MaxAttemptsBase = new (maxAttempts: number) => {
  shouldTerminate(context: { attemptCount: number }): boolean;
};

/**
 * The SDK's defaults retry few calls (CancelSecretDeletion, most Autonomous Database calls not at
 * all), wait up to 30 s and ignore our deadline: every client gets this configuration instead. The
 * backoff is the project's (full jitter); no attempt starts past the deadline. context.attemptCount
 * is the number of retries already made (oci-common lib/retrier.ts).
 */
export function ociRetryConfiguration(o: OciRetryOptions, base?: MaxAttemptsBase): RetryConfiguration {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const retryable = o.retryable ?? ((err: OciFailureLike) => transientOciFailure(err));
  const stop = (attemptCount: number): boolean =>
    attemptCount + 1 >= o.policy.maxAttempts ||
    Boolean(o.signal?.aborted) ||
    now() + backoffDelay(attemptCount + 1, o.policy, () => 1) >= o.deadline;
  let terminationStrategy: { shouldTerminate(context: { attemptCount: number }): boolean } = {
    shouldTerminate: (ctx) => stop(ctx.attemptCount),
  };
  if (base) {
    class DeadlineTermination extends base {
      shouldTerminate(context: { attemptCount: number }): boolean {
        return stop(context.attemptCount);
      }
    }
    terminationStrategy = new DeadlineTermination(o.policy.maxAttempts);
  }
  return {
    retryCondition: (err) => !o.signal?.aborted && retryable(err),
    delayStrategy: {
      // Seconds; never sleeps past the deadline.
      delay: (ctx) =>
        Math.max(0, Math.min(backoffDelay(ctx.attemptCount + 1, o.policy, random), o.deadline - now())) / 1000,
    },
    terminationStrategy,
  };
}
