import type { RetryConfiguration } from 'oci-common';

/**
 * The OCI SDK retries few Vault calls by default (CancelSecretDeletion not at all), waits up to 30 s between
 * attempts and trips a process-wide circuit breaker under a 429 storm. We configure it explicitly: every call
 * retries 429 TooManyRequests, 409 IncorrectState (a secret still UPDATING), 5xx and connection errors,
 * with capped exponential backoff and jitter, and never waits past the task's deadline.
 */
export interface OciRetryTuning {
  maxAttempts: number;
  baseSeconds: number;
  maxDelaySeconds: number;
}

export const OCI_RETRY: OciRetryTuning = { maxAttempts: 8, baseSeconds: 1, maxDelaySeconds: 30 };

export async function ociRetryConfiguration(tuning: OciRetryTuning, deadline: number, signal: AbortSignal, retryable?: (err: { statusCode?: number; serviceCode?: string }) => boolean): Promise<RetryConfiguration> {
  const common = await import('oci-common');
  // A MaxAttemptsTerminationStrategy subclass, so the SDK still sends opc-client-retries.
  class DeadlineTermination extends common.MaxAttemptsTerminationStrategy {
    shouldTerminate(context: { attemptCount: number }): boolean {
      return super.shouldTerminate(context as never) || signal.aborted || Date.now() >= deadline - 250;
    }
  }
  const delayStrategy = {
    maxDelayInSeconds: tuning.maxDelaySeconds,
    delay(context: { attemptCount: number }): number {
      const ceiling = Math.min(tuning.maxDelaySeconds, tuning.baseSeconds * 2 ** context.attemptCount);
      const jittered = ceiling / 2 + (Math.random() * ceiling) / 2;
      // Never sleep past the deadline: the last attempt still gets a chance to run.
      return Math.max(0, Math.min(jittered, (deadline - Date.now() - 500) / 1000));
    },
  };
  const retryCondition = (err: { statusCode?: number; serviceCode?: string }): boolean =>
    !signal.aborted && (retryable ? retryable(err) : common.OciSdkDefaultRetryConfiguration.retryCondition(err as never));
  return { terminationStrategy: new DeadlineTermination(tuning.maxAttempts), delayStrategy, retryCondition } as unknown as RetryConfiguration;
}
