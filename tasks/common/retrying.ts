import { DEFAULT_RETRY_POLICY, Decision, Outcome, RetryPolicy, decideRetry } from './retry-policy';
import { sleep } from './sleep';

/** Where a retry loop runs: the task's cancellation, its deadline and the policy. */
export interface RetryScope {
  signal: AbortSignal;
  /** Epoch ms; no attempt starts after it. */
  deadline: number;
  policy?: RetryPolicy;
  log?: (message: string) => void;
  now?: () => number;
  random?: () => number;
}

/** What one kind of call counts as worth another attempt. */
export interface RetryRule<T> {
  /** Named in the log line of every retry (never carries a query string or a secret). */
  what: string;
  /** False for a request that must not be sent twice once it may have reached the server. */
  idempotent: boolean;
  /** The outcome a failure stands for; undefined = not a transient failure, thrown as it is. */
  errorOutcome(err: unknown): Outcome | undefined;
  /** For calls that answer rather than throw (fetch): the outcome of an answer, undefined = done. */
  resultOutcome?(value: T): Outcome | undefined;
  /** Frees an answer that is being dropped for another attempt (a response body). */
  discard?(value: T): Promise<void> | void;
  /** The error thrown when a failure is not retried (maps it for the user); default: the failure itself. */
  giveUp?(err: unknown, decision: Decision | undefined): unknown;
  /** The log line of a retry; default "<what>: <reason>; retry <n> in <ms> ms". */
  describe?(decision: Decision, attempt: number): string;
}

/**
 * The one retry loop around the shared decision (retry-policy.ts): 429/5xx/resets with backoff and
 * Retry-After, never a non-idempotent request again once it may have been sent, never past the
 * deadline, and a cancelled task stops at once with the signal's reason.
 */
export async function retrying<T>(
  fn: (attempt: number) => Promise<T>,
  rule: RetryRule<T>,
  scope: RetryScope,
): Promise<T> {
  const now = scope.now ?? Date.now;
  const decide = (outcome: Outcome, attempt: number): Decision =>
    decideRetry(outcome, attempt, {
      idempotent: rule.idempotent,
      remainingMs: scope.deadline - now(),
      nowMs: now(),
      policy: scope.policy ?? DEFAULT_RETRY_POLICY,
      random: scope.random ?? Math.random,
    });
  for (let attempt = 1; ; attempt++) {
    let decision: Decision;
    try {
      const value = await fn(attempt);
      const outcome = rule.resultOutcome?.(value);
      if (!outcome) return value;
      decision = decide(outcome, attempt);
      if (!decision.retry) return value;
      await rule.discard?.(value);
    } catch (err) {
      if (scope.signal.aborted) throw scope.signal.reason ?? err;
      const outcome = rule.errorOutcome(err);
      if (!outcome) throw rule.giveUp ? rule.giveUp(err, undefined) : err;
      decision = decide(outcome, attempt);
      if (!decision.retry) throw rule.giveUp ? rule.giveUp(err, decision) : err;
    }
    scope.log?.(
      rule.describe?.(decision, attempt) ??
        `${rule.what}: ${decision.reason}; retry ${attempt} in ${decision.delayMs} ms`,
    );
    await sleep(decision.delayMs, scope.signal);
  }
}
