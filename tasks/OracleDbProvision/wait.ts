import { TaskError } from '../common/errors';
import { sleep } from '../common/sleep';

export interface PollSchedule {
  initialMs: number;
  maxMs: number;
}

/** Real operations take minutes: start with quick looks, then back off to a few per minute. */
export const DEFAULT_POLL: PollSchedule = { initialMs: 1000, maxMs: 15_000 };

export interface Transition {
  state: string;
  /** Milliseconds since the wait began. */
  atMs: number;
}

export interface PollObservation {
  /** What the user sees change, e.g. "PROVISIONING" or "work request IN_PROGRESS 40%". */
  state: string;
  done: boolean;
  /** Set when the operation can no longer succeed. */
  failure?: Error;
}

export interface WaitContext {
  signal: AbortSignal;
  deadline: number;
  schedule: PollSchedule;
  log: (message: string) => void;
  now?: () => number;
  /** What to check when the time runs out; by default, advice for OCI's own operations. */
  timeoutHint?: string;
}

/**
 * Polls until done, logging each change of state (never each poll) with the time it took, and
 * fails with a clear error on a failure state or at the task's deadline.
 */
export async function pollUntil<T>(
  what: string,
  read: () => Promise<T>,
  observe: (value: T) => PollObservation,
  ctx: WaitContext,
): Promise<{ value: T; transitions: Transition[] }> {
  const now = ctx.now ?? Date.now;
  const started = now();
  const transitions: Transition[] = [];
  let delay = ctx.schedule.initialMs;
  for (;;) {
    const value = await read();
    const seen = observe(value);
    const last = transitions[transitions.length - 1];
    if (!last || last.state !== seen.state) {
      const atMs = now() - started;
      transitions.push({ state: seen.state, atMs });
      ctx.log(`${what}: ${seen.state} (after ${(atMs / 1000).toFixed(1)} s)`);
    }
    if (seen.failure) throw seen.failure;
    if (seen.done) return { value, transitions };
    if (now() + delay >= ctx.deadline) {
      throw new TaskError(
        `${what} was still ${seen.state} when the task's time ran out (${((now() - started) / 1000).toFixed(0)} s of waiting).`,
        ctx.timeoutHint ??
          "Raise 'waitTimeoutMinutes'; OCI continues the operation, and a re-run picks it up where it is.",
      );
    }
    await sleep(delay, ctx.signal);
    delay = Math.min(ctx.schedule.maxMs, Math.round(delay * 1.5));
  }
}
